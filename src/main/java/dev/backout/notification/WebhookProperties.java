package dev.backout.notification;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param urls where incident events are POSTed as JSON, signed with {@code secret} when one is set
 * @param secret the Standard Webhooks signing secret, {@code whsec_} and base64 (at least 24 bytes)
 * @param slack Slack incoming-webhook URLs
 * @param teams Microsoft Teams incoming-webhook (Workflows) URLs
 * @param consoleUrl the console's address as people reach it, for the links in messages
 * @param timeout connect and read timeout of each POST
 * @param retry when a failed delivery is tried again
 */
@ConfigurationProperties("backout.webhooks")
record WebhookProperties(List<String> urls, String secret, List<String> slack, List<String> teams,
		@DefaultValue("http://localhost:8080") String consoleUrl, @DefaultValue("5s") Duration timeout,
		@DefaultValue Retry retry) {

	WebhookProperties {
		urls = (urls != null) ? List.copyOf(urls) : List.of();
		slack = (slack != null) ? List.copyOf(slack) : List.of();
		teams = (teams != null) ? List.copyOf(teams) : List.of();
		consoleUrl = consoleUrl.replaceAll("/+$", "");
		secret = (secret == null || secret.isBlank()) ? null : secret.strip();
		if (secret != null) {
			WebhookSignature.key(secret); // refuse a malformed secret at start, not at the first delivery
		}
	}

	/**
	 * @param first the wait before the first retry, doubled for each one after it
	 * @param longest the longest wait between two tries
	 * @param attempts how many tries before a delivery is given up (it stays in the registry as failed)
	 * @param every how often failed deliveries are looked at
	 */
	record Retry(@DefaultValue("10s") Duration first, @DefaultValue("1h") Duration longest, @DefaultValue("20") int attempts,
			@DefaultValue("5s") Duration every) {

		Duration after(int tries) {
			Duration wait = this.first.multipliedBy(1L << Math.min(Math.max(tries - 1, 0), 20));
			return (wait.compareTo(this.longest) > 0) ? this.longest : wait;
		}

	}

}
