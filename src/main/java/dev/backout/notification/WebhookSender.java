package dev.backout.notification;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * POSTs one stored delivery. An answer other than 2xx, a timeout or a refused connection throws:
 * the registry keeps the delivery as failed and {@link DeliveryRetries} tries it again later.
 * Standard webhooks carry the {@code webhook-id}, {@code webhook-timestamp} and, with a secret,
 * {@code webhook-signature} headers; the timestamp and signature are made for each try.
 */
@Component
class WebhookSender {

	private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

	private final WebhookProperties properties;

	private final Clock clock;

	private final RestClient client;

	private final byte[] key;

	WebhookSender(WebhookProperties properties, Clock clock) {
		this.properties = properties;
		this.clock = clock;
		HttpClient http = HttpClient.newBuilder().connectTimeout(properties.timeout()).build();
		JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
		factory.setReadTimeout(properties.timeout());
		this.client = RestClient.builder().requestFactory(factory).build();
		this.key = (properties.secret() != null) ? WebhookSignature.key(properties.secret()) : null;
	}

	@ApplicationModuleListener
	void send(WebhookDelivery delivery) {
		Optional<String> url = url(delivery);
		if (url.isEmpty()) {
			log.warn("Webhook {} for incident {} dropped: its {} endpoint is no longer configured", delivery.messageId(),
					delivery.incidentId(), delivery.format());
			return;
		}
		long timestamp = this.clock.instant().getEpochSecond();
		try {
			this.client.post().uri(url.get()).contentType(MediaType.APPLICATION_JSON).headers((headers) -> {
				if (delivery.format() == WebhookDelivery.Format.STANDARD) {
					headers.set("webhook-id", delivery.messageId());
					headers.set("webhook-timestamp", Long.toString(timestamp));
					if (this.key != null) {
						headers.set("webhook-signature", WebhookSignature.sign(this.key, delivery.messageId(), timestamp, delivery.body()));
					}
				}
			}).body(delivery.body()).retrieve().toBodilessEntity();
		}
		catch (RestClientException ex) {
			// The URL stays out of the log: for Slack and Teams it is the credential.
			log.warn("Webhook {} for incident {} to a {} endpoint failed, to be retried: {}", delivery.messageId(),
					delivery.incidentId(), delivery.format(), ex.getClass().getSimpleName());
			throw ex;
		}
	}

	private Optional<String> url(WebhookDelivery delivery) {
		List<String> urls = switch (delivery.format()) {
			case STANDARD -> this.properties.urls();
			case SLACK -> this.properties.slack();
			case TEAMS -> this.properties.teams();
		};
		return urls.stream().filter((url) -> WebhookDelivery.endpointOf(url).equals(delivery.endpoint())).findFirst();
	}

}
