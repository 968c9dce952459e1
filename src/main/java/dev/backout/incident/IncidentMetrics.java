package dev.backout.incident;

import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What waits on people: approval requests open now ({@code backout.approvals.waiting}), incidents
 * past their decision deadline before approval ({@code backout.incidents.overdue}), and the time
 * from a request to its approval ({@code backout.approval.time}). The gauges count in the console
 * database when scraped, so every instance reports the same numbers.
 */
@Component
class IncidentMetrics {

	private final Timer toApproval;

	IncidentMetrics(MeterRegistry meters, JdbcClient jdbc) {
		Gauge.builder("backout.approvals.waiting",
				() -> jdbc.sql("select count(*) from approval_request where status = 'OPEN'").query(Long.class).single())
			.description("Approval requests waiting for a decision").register(meters);
		Gauge.builder("backout.incidents.overdue",
				() -> jdbc.sql("select count(*) from incident where overdue and state in ('TRIAGE', 'PRECHECK', 'AWAITING_APPROVAL')")
					.query(Long.class).single())
			.description("Incidents past their decision deadline, not yet approved").register(meters);
		this.toApproval = Timer.builder("backout.approval.time").description("From the approval request to the approval")
			.register(meters);
	}

	void approvedAfter(Duration waited) {
		if (!waited.isNegative()) {
			this.toApproval.record(waited);
		}
	}

}
