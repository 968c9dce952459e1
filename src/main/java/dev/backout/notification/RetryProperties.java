package dev.backout.notification;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When a failed delivery (webhook, Slack, Teams, e-mail) is tried again.
 *
 * @param first the wait before the first retry, doubled for each one after it
 * @param longest the longest wait between two tries
 * @param attempts how many tries before a delivery is given up (it stays in the registry as failed)
 * @param every how often failed deliveries are looked at
 */
@ConfigurationProperties("backout.notifications.retry")
record RetryProperties(@DefaultValue("10s") Duration first, @DefaultValue("1h") Duration longest, @DefaultValue("20") int attempts,
		@DefaultValue("5s") Duration every) {

	Duration after(int tries) {
		Duration wait = this.first.multipliedBy(1L << Math.min(Math.max(tries - 1, 0), 20));
		return (wait.compareTo(this.longest) > 0) ? this.longest : wait;
	}

}
