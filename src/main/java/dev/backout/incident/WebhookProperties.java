package dev.backout.incident;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param urls where incident events are POSTed as JSON (none by default)
 * @param timeout connect and read timeout of each POST
 */
@ConfigurationProperties("backout.webhooks")
record WebhookProperties(List<String> urls, @DefaultValue("5s") Duration timeout) {

	WebhookProperties {
		urls = (urls != null) ? List.copyOf(urls) : List.of();
	}

}
