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
 */
@ConfigurationProperties("backout.webhooks")
record WebhookProperties(List<String> urls, String secret, List<String> slack, List<String> teams,
		@DefaultValue("http://localhost:8080") String consoleUrl, @DefaultValue("5s") Duration timeout) {

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

}
