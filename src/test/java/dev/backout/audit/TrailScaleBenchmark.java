package dev.backout.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

import javax.sql.DataSource;

import dev.backout.CpuTime;
import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

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

	static final int SAMPLES = 200;

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
		long firstIncident = MillionEventTrail.load(this.jdbc, this.dataSource, this.key);
		long events = this.jdbc.sql("select count(*) from audit_event").query(Long.class).single();
		System.out.printf("%nTrail at scale: %,d events over %,d incidents (loaded in %.1f s)%n", events, MillionEventTrail.INCIDENTS,
				(System.nanoTime() - loadStarted) / 1e9);

		long deepBefore = firstIncident + 200;
		long someIncident = firstIncident + MillionEventTrail.INCIDENTS / 2;
		measure("history, first page", "/history");
		measure("history, filtered (person + state)", "/history?person=lead&state=COMPLETED");
		measure("history, filtered (runbook + date range)", "/history?runbook=memory-schema-rls&from=2026-01-01&to=2026-12-31");
		measure("history, deep page (keyset)", "/history?before=" + deepBefore);
		measure("incident timeline (50 events)", "/history/incidents/" + someIncident);
		measure("person activity, first page", "/history/people/lead");

		explain("history, first page", "select * from incident i where true order by i.id desc limit 51");
		explain("history, person + state", "select * from incident i where true and i.state = 'COMPLETED' and (i.commander = 'lead' "
				+ "or i.id in (select p.incident_id from audit_participant p where p.actor = 'lead')) order by i.id desc limit 51");
		explain("incident timeline", "select " + AuditTrail.COLUMNS + " from audit_event where incident_id = " + someIncident
				+ " order by seq");
		explain("person activity", "select " + AuditTrail.COLUMNS + " from audit_event where actor = 'lead' and seq < "
				+ Long.MAX_VALUE + " order by seq desc limit 51");

		// The peer: the same rows read and mapped as verification reads them, nothing checked.
		double[] reading = new double[3];
		double[] verifying = new double[3];
		CpuTime readCpu = null;
		CpuTime verifyCpu = null;
		long verified = 0;
		for (int i = 0; i < 3; i++) {
			CpuTime before = CpuTime.now();
			long rows = readTheTrail();
			readCpu = CpuTime.now().minus(before);
			reading[i] = rows / (readCpu.wallMillis() / 1e3);
			before = CpuTime.now();
			TrailVerification.Result result = this.verifier.verify();
			verifyCpu = CpuTime.now().minus(before);
			verifying[i] = result.verified() / (verifyCpu.wallMillis() / 1e3);
			assertThat(result.intact()).as(result.describe()).isTrue();
			verified = result.verified();
		}
		double first = verifying[0];
		Arrays.sort(reading);
		Arrays.sort(verifying);
		System.out.printf("  verification: %,d events, median of 3: %,.0f events/s (the first, code not yet compiled: %,.0f); "
				+ "reading the same rows alone %,.0f rows/s (verification at %.0f%% of the read rate)%n", verified, verifying[1],
				first, reading[1], 100 * verifying[1] / reading[1]);
		if (verifyCpu.machineMillis() > 0) {
			System.out.printf("  CPU per 1,000 events (last run): reading %.1f ms in this JVM + %.1f ms in other processes "
					+ "(PostgreSQL), machine %.0f%% busy; verifying %.1f + %.1f ms, machine %.0f%% busy%n",
					readCpu.jvmMillis() * 1e3 / verified, readCpu.othersMillis() * 1e3 / verified, readCpu.busyPercent(),
					verifyCpu.jvmMillis() * 1e3 / verified, verifyCpu.othersMillis() * 1e3 / verified, verifyCpu.busyPercent());
		}
	}

	/** Reads every event as {@link TrailVerifier} does (the same copy, in primary-key order), checking nothing. */
	private long readTheTrail() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			long rows = 0;
			try (CopiedEvents events = new CopiedEvents(connection)) {
				while (events.hasNext()) {
					events.next();
					rows++;
				}
			}
			finally {
				connection.rollback();
			}
			return rows;
		}
	}

	/** The plan the page's query gets at this size, as PostgreSQL ran it (docs/performance.md shows them). */
	private void explain(String label, String query) {
		System.out.printf("  plan, %s:%n", label);
		this.jdbc.sql("explain (analyze, buffers, costs off, timing off, summary off) " + query)
			.query(String.class)
			.list()
			.forEach((line) -> System.out.println("    " + line));
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

}
