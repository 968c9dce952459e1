package dev.backout.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import dev.backout.IntegrationTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@IntegrationTest
class AuditTrailIntegrationTests {

	@Autowired
	AuditTrail trail;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DemoTarget demo;

	@ParameterizedTest
	@ValueSource(strings = { "update audit_event set actor = 'mallory'", "delete from audit_event",
			"truncate audit_event" })
	void theConsolesRoleMayOnlyReadAndAppendTheTrail(String sql) {
		this.trail.record(AuditEntry.bySystem("TEST_EVENT", Map.of()));
		long count = count();
		assertThat(this.jdbc.sql("select current_user").query(String.class).single()).isEqualTo("backout");
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> this.jdbc.sql(sql).update())
			.havingRootCause()
			.withMessageContaining("permission denied for table audit_event");
		assertThat(count()).isEqualTo(count);
	}

	@ParameterizedTest
	@ValueSource(strings = { "update audit_event set actor = 'mallory'", "delete from audit_event",
			"truncate audit_event" })
	void triggersRefuseEvenASuperuser(String sql) throws SQLException {
		this.trail.record(AuditEntry.bySystem("TEST_EVENT", Map.of()));
		long count = count();
		String console = this.demo.jdbcUrl().replaceFirst("/" + DemoTarget.DATABASE + "(\\?|$)", "/backout$1");
		try (Connection superuser = DriverManager.getConnection(console, this.demo.username(), this.demo.password());
				Statement statement = superuser.createStatement()) {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute(sql))
				.withMessageContaining("audit_event is append-only");
		}
		assertThat(count()).isEqualTo(count);
	}

	@Test
	void eachEventLinksToThePreviousOneByHash() {
		AuditEvent first = this.trail.record(AuditEntry.bySystem("FIRST", Map.of("b", 2, "a", List.of("x", 1.5))));
		AuditEvent second = this.trail.record(new AuditEntry("alice", "COMMANDER", "SECOND", 42L, Map.of("k", "v")));
		assertThat(second.seq()).isEqualTo(first.seq() + 1);
		assertThat(second.prevHash()).isEqualTo(first.hash());
		assertThat(first.details()).isEqualTo("{\"a\":[\"x\",1.5],\"b\":2}");
		// What was stored hashes to what was returned: the chain is verifiable from the table alone.
		for (AuditEvent stored : stored(first.seq(), second.seq())) {
			assertThat(rehash(stored)).isEqualTo(stored.hash());
		}
	}

	@Test
	void concurrentWritersLeaveAnUnbrokenChain() throws Exception {
		long start = this.jdbc.sql("select coalesce(max(seq), 0) from audit_event").query(Long.class).single();
		int threads = 8;
		int perThread = 1000;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> writers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int writer = t;
				writers.add(pool.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						this.trail.record(AuditEntry.bySystem("CONCURRENT", Map.of("writer", writer, "i", i)));
					}
				}));
			}
			for (Future<?> writer : writers) {
				writer.get();
			}
		}
		finally {
			pool.shutdown();
		}
		List<AuditEvent> events = stored(start, Long.MAX_VALUE);
		List<AuditEvent> concurrent = events.stream().filter((e) -> e.action().equals("CONCURRENT")).toList();
		assertThat(concurrent).hasSize(threads * perThread);
		for (int i = 1; i < events.size(); i++) {
			AuditEvent previous = events.get(i - 1);
			AuditEvent event = events.get(i);
			assertThat(event.seq()).isEqualTo(previous.seq() + 1);
			assertThat(event.prevHash()).isEqualTo(previous.hash());
			assertThat(rehash(event)).isEqualTo(event.hash());
		}
	}

	private List<AuditEvent> stored(long fromSeq, long toSeq) {
		return this.jdbc.sql("""
				select seq, occurred_at, actor, actor_roles, incident_id, action, details::text as details, prev_hash, hash, mac
				from audit_event where seq between ? and ? order by seq
				""").param(fromSeq).param(toSeq).query(AuditTrail::mapEvent).list();
	}

	private static String rehash(AuditEvent e) {
		return AuditHashing.hash(e.seq(), e.occurredAt(), e.actor(), e.actorRoles(), e.incidentId(), e.action(),
				e.details(), e.prevHash());
	}

	private long count() {
		return this.jdbc.sql("select count(*) from audit_event").query(Long.class).single();
	}

}
