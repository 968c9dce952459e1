package dev.backout.audit;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

import javax.sql.DataSource;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The trail at scale: 1,000,000 chained events over 20,000 incidents, then the server time
 * (query and rendering, through MockMvc) of the history pages and the verification rate.
 * Run with {@code ./mvnw -Pbench verify}; figures are printed, not asserted.
 */
@IntegrationTest
// Server time only: MockMvc's printing of every result (kept for a failure) is the harness's cost.
@TestPropertySource(properties = "spring.test.mockmvc.print=none")
class TrailScaleBenchmark {

	static final int INCIDENTS = 20_000;

	static final int EVENTS_PER_INCIDENT = 50;

	static final int SAMPLES = 100;

	static final String[] ACTORS = { "commander", "lead", "cto", "oncall", "auditor", "admin" };

	static final String[] ACTIONS = { "DECISION_ANSWERED", "STEP_STARTED", "STEP_SUCCEEDED", "APPROVAL_GIVEN", "CHECKLIST_TICKED" };

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DataSource dataSource;

	@Autowired
	TrailVerifier verifier;

	@Autowired
	TrailKey key;

	@Autowired
	MockMvc mvc;

	@Test
	void historyPagesAndVerificationAtAMillionEvents() throws Exception {
		long loadStarted = System.nanoTime();
		long firstIncident = loadIncidents();
		loadEvents(firstIncident);
		this.jdbc.sql("analyze").update();
		long events = this.jdbc.sql("select count(*) from audit_event").query(Long.class).single();
		System.out.printf("%nTrail at scale: %,d events over %,d incidents (loaded in %.1f s)%n", events, INCIDENTS,
				(System.nanoTime() - loadStarted) / 1e9);

		long deepBefore = firstIncident + 200;
		long someIncident = firstIncident + INCIDENTS / 2;
		measure("history, first page", "/history");
		measure("history, filtered (person + state)", "/history?person=lead&state=COMPLETED");
		measure("history, filtered (runbook + date range)", "/history?runbook=memory-schema-rls&from=2026-01-01&to=2026-12-31");
		measure("history, deep page (keyset)", "/history?before=" + deepBefore);
		measure("incident timeline (50 events)", "/history/incidents/" + someIncident);
		measure("person activity, first page", "/history/people/lead");

		long started = System.nanoTime();
		TrailVerification.Result result = this.verifier.verify();
		double seconds = (System.nanoTime() - started) / 1e9;
		assertThat(result.intact()).as(result.describe()).isTrue();
		System.out.printf("  verification: %,d events in %.2f s = %,.0f events/s%n", result.verified(), seconds,
				result.verified() / seconds);
	}

	private void measure(String label, String url) throws Exception {
		for (int i = 0; i < 20; i++) {
			this.mvc.perform(get(url).with(user("auditor").roles("AUDITOR"))).andExpect(status().isOk());
		}
		long[] nanos = new long[SAMPLES];
		for (int i = 0; i < SAMPLES; i++) {
			long started = System.nanoTime();
			this.mvc.perform(get(url).with(user("auditor").roles("AUDITOR"))).andExpect(status().isOk());
			nanos[i] = System.nanoTime() - started;
		}
		Arrays.sort(nanos);
		System.out.printf("  %-45s p50 %6.2f ms   p95 %6.2f ms%n", label, nanos[SAMPLES / 2] / 1e6,
				nanos[(int) Math.ceil(SAMPLES * 0.95) - 1] / 1e6);
	}

	private long loadIncidents() {
		long target = this.jdbc.sql("select id from target where name = 'demo'").query(Long.class).single();
		this.jdbc.sql("""
				insert into incident (runbook_id, runbook_hash, runbook_title, target_id, commander, symptom, severity,
				  detected_at, opened_at, state, outcome, closed_at)
				select r.id, (select min(v.hash) from runbook_version v where v.runbook_id = r.id), 'Benchmark incident ' || g, :target, (array['commander','lead','cto'])[1 + g % 3], 'symptom ' || g,
				  'SEV' || (1 + g % 4), timestamptz '2026-01-01' + g * interval '20 minutes',
				  timestamptz '2026-01-01' + g * interval '20 minutes',
				  (array['COMPLETED','CLOSED','ABORTED','COMPLETED'])[1 + g % 4], 'ROLLBACK',
				  timestamptz '2026-01-01' + g * interval '20 minutes' + interval '15 minutes'
				from generate_series(1, :count) g,
				  lateral (select (array['memory-schema-rls','core-schema-202510041230','sponsor-coaching','ecto-schema-alignment'])[1 + g % 4] as id) r
				""").param("target", target).param("count", INCIDENTS).update();
		return this.jdbc.sql("select max(id) from incident").query(Long.class).single() - INCIDENTS + 1;
	}

	/** Chains 1,000,000 events onto the current head, hashed and signed exactly as AuditTrail does, and COPYs them in. */
	private void loadEvents(long firstIncident) throws Exception {
		var head = this.jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> new Object[] { rs.getLong(1), rs.getString(2) })
			.single();
		long seq = (Long) head[0];
		String previous = (String) head[1];
		Instant time = Instant.parse("2026-01-01T00:00:00Z");
		try (Connection connection = this.dataSource.getConnection()) {
			var copy = connection.unwrap(PGConnection.class).getCopyAPI();
			StringBuilder batch = new StringBuilder();
			for (int incident = 0; incident < INCIDENTS; incident++) {
				long incidentId = firstIncident + incident;
				for (int e = 0; e < EVENTS_PER_INCIDENT; e++) {
					seq++;
					time = time.plus(1, ChronoUnit.SECONDS);
					String actor = ACTORS[(incident + e) % ACTORS.length];
					String action = ACTIONS[e % ACTIONS.length];
					String details = AuditHashing.canonicalDetails(java.util.Map.of("step", "step-" + e, "n", e));
					String hash = AuditHashing.hash(seq, time, actor, "COMMANDER", incidentId, action, details, previous);
					batch.append(seq).append('\t').append(AuditHashing.formatTime(time)).append('\t').append(actor)
						.append("\tCOMMANDER\t").append(incidentId).append('\t').append(action).append('\t')
						.append(details.replace("\\", "\\\\")).append('\t').append(previous).append('\t').append(hash).append('\t')
						.append(this.key.eventMac(seq, incidentId, previous, hash)).append('\n');
					previous = hash;
				}
				if (incident % 1000 == 999) {
					copy.copyIn("COPY audit_event (seq, occurred_at, actor, actor_roles, incident_id, action, details, prev_hash, hash, mac) FROM STDIN",
							new StringReader(batch.toString()));
					batch.setLength(0);
				}
			}
			try (Statement statement = connection.createStatement()) {
				statement.execute("select 1");
			}
		}
	}

}
