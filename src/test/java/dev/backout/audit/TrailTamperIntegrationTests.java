package dev.backout.audit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backout.IntegrationTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A superuser can do anything to the table; the chain and the signed checkpoints make each
 * kind of tampering visible, naming the first bad sequence number. Each test tampers with a
 * trail of its own, in a database of its own.
 */
@IntegrationTest
class TrailTamperIntegrationTests {

	static final byte[] KEY = Base64.getDecoder().decode("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");

	static final int EVENTS = 35;

	@Autowired
	DemoTarget demo;

	@TempDir
	Path temp;

	DataSource trailDatabase;

	TrailCheckpoints checkpoints;

	@BeforeEach
	void aTrailOfItsOwnWithACheckpointAtItsHead() throws Exception {
		String database = "trail_" + System.nanoTime();
		try (Connection admin = java.sql.DriverManager.getConnection(url("postgres"), this.demo.username(), this.demo.password());
				Statement statement = admin.createStatement()) {
			statement.execute("CREATE DATABASE " + database);
		}
		this.trailDatabase = new DriverManagerDataSource(url(database), this.demo.username(), this.demo.password());
		execute(new ClassPathResource("db/changelog/audit/001-audit-event.sql").getContentAsString(StandardCharsets.UTF_8));
		JdbcClient jdbc = JdbcClient.create(this.trailDatabase);
		AuditTrail trail = new AuditTrail(jdbc, Clock.systemUTC());
		for (int i = 1; i <= EVENTS; i++) {
			trail.record(new AuditEntry("user" + (i % 3), "COMMANDER", "ACTION_" + i, (long) (i % 4), Map.of("n", i, "note", "event " + i)));
		}
		this.checkpoints = new TrailCheckpoints(jdbc, trail, Clock.systemUTC(),
				new AuditProperties(Base64.getEncoder().encodeToString(KEY), this.temp.resolve("key"), this.temp.resolve("checkpoints.jsonl")));
		this.checkpoints.write(null);
	}

	@Test
	void anIntactTrailVerifiesUpToItsHead() {
		TrailVerification.Result result = verify();
		assertThat(result.intact()).isTrue();
		assertThat(result.verified()).isEqualTo(EVENTS + 1);
		assertThat(result.describe()).startsWith((EVENTS + 1) + " events verified up to hash " + result.headHash())
			.endsWith("consistent with 1 signed checkpoints.");
	}

	@Test
	void anUpdatedPayloadIsFound() throws SQLException {
		asSuperuserWithoutTriggers("UPDATE audit_event SET details = '{\"n\": 12, \"note\": \"nothing happened\"}' WHERE seq = 12");
		assertBrokenAt(12, "its content does not match its hash: the event was altered.");
	}

	@Test
	void aDeletedMiddleEventIsFound() throws SQLException {
		asSuperuserWithoutTriggers("DELETE FROM audit_event WHERE seq = 20");
		assertBrokenAt(20, "event 20 is missing (deleted from the trail).");
	}

	@Test
	void aDeletedTailIsFoundThroughTheCheckpoint() throws SQLException {
		asSuperuserWithoutTriggers("DELETE FROM audit_event WHERE seq > 30");
		TrailVerification.Result result = verify();
		assertThat(result.firstBadSeq()).isEqualTo(31);
		assertThat(result.problem()).startsWith("the trail ends at sequence 30, but a signed checkpoint taken at")
			.endsWith("records sequence 35: events 31 to 35 were deleted.");
	}

	@Test
	void twoReorderedEventsAreFound() throws SQLException {
		asSuperuserWithoutTriggers("UPDATE audit_event SET seq = 1000000 WHERE seq = 7; UPDATE audit_event SET seq = 7 WHERE seq = 8; "
				+ "UPDATE audit_event SET seq = 8 WHERE seq = 1000000");
		assertBrokenAt(7, "it does not link to the event before it (its previous-hash differs): events were reordered, replaced or removed.");
	}

	@Test
	void aTruncateWithTriggersDisabledIsFoundThroughTheCheckpoint() throws SQLException {
		execute("ALTER TABLE audit_event DISABLE TRIGGER ALL; TRUNCATE audit_event; ALTER TABLE audit_event ENABLE TRIGGER ALL");
		TrailVerification.Result result = verify();
		assertThat(result.firstBadSeq()).isEqualTo(1);
		assertThat(result.problem()).startsWith("the trail ends at sequence 0");
	}

	@Test
	void aForgedCheckpointIsFound() throws Exception {
		Path forged = this.temp.resolve("forged.jsonl");
		Files.writeString(forged, "{\"seq\":99,\"hash\":\"" + "a".repeat(64) + "\",\"at\":\"2026-01-01T00:00:00Z\",\"mac\":\"" + "0".repeat(64) + "\"}\n");
		TrailVerification.Result result = TrailVerifier.verify(this.trailDatabase, TrailCheckpoints.read(forged), KEY);
		assertThat(result.intact()).isFalse();
		assertThat(result.problem()).contains("does not carry a valid signature");
	}

	@Test
	void theCommandLineVerifiesAnExportOfflineAndFindsAnEditInIt() throws Exception {
		Path export = this.temp.resolve("trail.jsonl");
		try (var out = Files.newOutputStream(export)) {
			new TrailExports(this.trailDatabase).jsonLines(null, out);
		}
		String[] args = { "--file=" + export, "--checkpoints=" + this.checkpoints.file(),
				"--checkpoint-key=" + Base64.getEncoder().encodeToString(KEY) };
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isZero();
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith((EVENTS + 1) + " events verified up to hash");

		List<String> lines = Files.readAllLines(export);
		lines.set(4, lines.get(4).replace("event 5", "event five"));
		Files.write(export, lines);
		printed.reset();
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isEqualTo(1);
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Broken at sequence 5: its content does not match its hash");

		printed.reset();
		assertThat(TrailVerifierCommand.run(new String[] { "--nonsense" }, new PrintStream(printed, true, StandardCharsets.UTF_8)))
			.isEqualTo(2);
	}

	private void assertBrokenAt(long seq, String problem) {
		TrailVerification.Result result = verify();
		assertThat(result.intact()).isFalse();
		assertThat(result.firstBadSeq()).isEqualTo(seq);
		assertThat(result.problem()).isEqualTo(problem);
		assertThat(result.describe()).isEqualTo("Broken at sequence " + seq + ": " + problem);
	}

	private TrailVerification.Result verify() {
		return TrailVerifier.verify(this.trailDatabase, this.checkpoints.all(), KEY);
	}

	/** What a superuser can do: replica mode skips the table's triggers. */
	private void asSuperuserWithoutTriggers(String sql) throws SQLException {
		execute("SET session_replication_role = replica; " + sql + "; SET session_replication_role = origin");
	}

	private void execute(String sql) throws SQLException {
		try (Connection connection = this.trailDatabase.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private String url(String database) {
		return this.demo.jdbcUrl().replaceFirst("/" + DemoTarget.DATABASE + "(\\?|$)", "/" + database + "$1");
	}

}
