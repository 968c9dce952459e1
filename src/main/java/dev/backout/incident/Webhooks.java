package dev.backout.incident;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.backout.approval.IncidentApproved;
import dev.backout.approval.IncidentRejected;

import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.client.RestClient;

/**
 * POSTs incident events to the configured webhooks once the change they describe committed,
 * off the request thread, so a slow or dead chat endpoint never delays or breaks an incident.
 * A failed delivery is logged, not retried: the trail, not the webhook, is the record.
 */
@Component
class Webhooks {

	private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

	private final WebhookProperties properties;

	private final Incidents incidents;

	private final Clock clock;

	private final RestClient client;

	private final ExecutorService sender = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "backout-webhooks");
		thread.setDaemon(true);
		return thread;
	});

	Webhooks(WebhookProperties properties, Incidents incidents, Clock clock) {
		this.properties = properties;
		this.incidents = incidents;
		this.clock = clock;
		HttpClient http = HttpClient.newBuilder().connectTimeout(properties.timeout()).build();
		JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
		factory.setReadTimeout(properties.timeout());
		this.client = RestClient.builder().requestFactory(factory).build();
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void on(IncidentEvent event) {
		send(event);
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void on(IncidentApproved approved) {
		send(event("APPROVED", approved.incidentId(), "approval key " + approved.approvalKey()));
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void on(IncidentRejected rejected) {
		send(event("REJECTED", rejected.incidentId(), rejected.approver() + ": " + rejected.comment()));
	}

	private IncidentEvent event(String type, long incidentId, String detail) {
		Incident incident = this.incidents.get(incidentId);
		return new IncidentEvent(type, incidentId, incident.runbookId(), incident.state().name(), detail, this.clock.instant());
	}

	private void send(IncidentEvent event) {
		for (String url : this.properties.urls()) {
			this.sender.execute(() -> {
				try {
					this.client.post().uri(url).contentType(MediaType.APPLICATION_JSON).body(event).retrieve().toBodilessEntity();
				}
				catch (RuntimeException ex) {
					log.warn("Webhook {} for incident {} ({}) failed: {}", url, event.incidentId(), event.type(), ex.getMessage());
				}
			});
		}
	}

}
