package dev.backout.audit;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import javax.sql.DataSource;

import org.postgresql.PGConnection;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The benchmarks' trail at scale: 20,000 finished incidents of the demo target and 1,000,000
 * events chained onto the current head, hashed and signed exactly as {@link AuditTrail} does.
 */
public final class MillionEventTrail {

	public static final int INCIDENTS = 20_000;

	static final int EVENTS_PER_INCIDENT = 50;

	static final String[] ACTORS = { "commander", "lead", "cto", "oncall", "auditor", "admin" };

	static final String[] ACTIONS = { "DECISION_ANSWERED", "STEP_STARTED", "STEP_SUCCEEDED", "APPROVAL_GIVEN", "CHECKLIST_TICKED" };

	private MillionEventTrail() {
	}

	/** Loads the incidents and their events, then analyzes; returns the first benchmark incident's id. */
	public static long load(JdbcClient jdbc, DataSource dataSource, TrailKey key) throws Exception {
		long firstIncident = loadIncidents(jdbc);
		loadEvents(jdbc, dataSource, key, firstIncident);
		jdbc.sql("analyze").update();
		return firstIncident;
	}

	private static long loadIncidents(JdbcClient jdbc) {
		long target = jdbc.sql("select id from target where name = 'demo'").query(Long.class).single();
		jdbc.sql("""
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
		return jdbc.sql("select max(id) from incident").query(Long.class).single() - INCIDENTS + 1;
	}

	/** Chains 1,000,000 events onto the current head, hashed and signed exactly as AuditTrail does, and COPYs them in. */
	private static void loadEvents(JdbcClient jdbc, DataSource dataSource, TrailKey key, long firstIncident) throws Exception {
		var head = jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> new Object[] { rs.getLong(1), rs.getString(2) })
			.single();
		long seq = (Long) head[0];
		String previous = (String) head[1];
		Instant time = Instant.parse("2026-01-01T00:00:00Z");
		try (Connection connection = dataSource.getConnection()) {
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
						.append(key.eventMac(seq, incidentId, previous, hash)).append('\n');
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
