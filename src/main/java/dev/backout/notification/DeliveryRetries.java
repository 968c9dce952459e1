package dev.backout.notification;

import java.time.Clock;
import java.time.Instant;

import dev.backout.incident.IncidentEvent;

import org.springframework.modulith.events.EventPublication;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Tries failed deliveries (webhooks, Slack, Teams, e-mails) again, each after a wait that doubles with every try (10 s, 20 s, 40 s …
 * up to an hour), until the number of tries runs out; the delivery then stays in the registry as
 * failed. Every instance runs this: the registry lets one instance claim a delivery per try
 * (a conditional UPDATE), so two instances do not send it twice. A delivery an instance was sending
 * when it died is marked failed by the registry's staleness check and retried the same way.
 */
@Component
class DeliveryRetries {

	private final FailedEventPublications failed;

	private final RetryProperties retry;

	private final Clock clock;

	DeliveryRetries(FailedEventPublications failed, RetryProperties retry, Clock clock) {
		this.failed = failed;
		this.retry = retry;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${backout.notifications.retry.every:5s}")
	void retryWhatIsDue() {
		this.failed.resubmit(ResubmissionOptions.defaults().withFilter(this::due));
	}

	boolean due(EventPublication publication) {
		if (!(publication.getEvent() instanceof WebhookDelivery || publication.getEvent() instanceof MailDelivery
				|| publication.getEvent() instanceof IncidentEvent)) {
			return false;
		}
		int tries = Math.max(publication.getCompletionAttempts(), 1);
		if (tries >= this.retry.attempts()) {
			return false;
		}
		Instant last = (publication.getLastResubmissionDate() != null) ? publication.getLastResubmissionDate()
				: publication.getPublicationDate();
		return !last.plus(this.retry.after(tries)).isAfter(this.clock.instant());
	}

}
