package dev.backout.notification;

import java.util.List;

import dev.backout.incident.IncidentEvent;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Turns each incident event, once the change it describes committed, into one stored delivery per
 * endpoint, so a dead endpoint is retried alone and never holds back the others.
 */
@Component
class Webhooks {

	private final WebhookProperties properties;

	private final IncidentMessages messages;

	private final ApplicationEventPublisher deliveries;

	Webhooks(WebhookProperties properties, ApplicationEventPublisher deliveries) {
		this.properties = properties;
		this.messages = new IncidentMessages(properties.consoleUrl());
		this.deliveries = deliveries;
	}

	@ApplicationModuleListener
	void on(IncidentEvent event) {
		deliver(event, WebhookDelivery.Format.STANDARD, this.properties.urls());
		deliver(event, WebhookDelivery.Format.SLACK, this.properties.slack());
		deliver(event, WebhookDelivery.Format.TEAMS, this.properties.teams());
	}

	private void deliver(IncidentEvent event, WebhookDelivery.Format format, List<String> urls) {
		for (String url : urls) {
			this.deliveries.publishEvent(new WebhookDelivery(event.id(), event.incidentId(), format, WebhookDelivery.endpointOf(url),
					this.messages.body(format, event)));
		}
	}

}
