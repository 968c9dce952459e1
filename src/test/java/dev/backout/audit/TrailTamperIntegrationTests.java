package dev.backout.audit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import dev.backout.IntegrationTest;
import dev.backout.Superuser;
import dev.backout.system.DemoTarget;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A superuser can do anything to the table; the chain and the signed checkpoints make each
 * kind of tampering visible, naming the first bad sequence number. Each test tampers with a
 * trail of its own, in a database of its own.
 */
@IntegrationTest
class TrailTamperIntegrationTests {

	static final String KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

	static final int EVENTS = 35;

	@Autowired
	DemoTarget demo;

	@TempDir
	Path temp;

	String database;

	DataSource trailDatabase;

	/** The writer's lock on this test's database, shared by the console "processes" the test starts. */
	CheckpointWriter writer;

	AuditTrail trail;

	TrailCheckpoints checkpoints;

	@BeforeEach
	void aTrailOfItsOwnWithACheckpointAtItsHead() throws Exception {
		String database = "trail_" + System.nanoTime();
		try (Connection admin = java.sql.DriverManager.getConnection(url("postgres"), this.demo.username(), this.demo.password());
				Statement statement = admin.createStatement()) {
			statement.execute("CREATE DATABASE " + database);
		}
		this.database = database;
		this.trailDatabase = new DriverManagerDataSource(url(database), this.demo.username(), this.demo.password());
		this.writer = new CheckpointWriter(this.trailDatabase);
		execute(new ClassPathResource("db/changelog/audit/001-audit-event.sql").getContentAsString(StandardCharsets.UTF_8));
		execute(new ClassPathResource("db/changelog/audit/005-event-mac.sql").getContentAsString(StandardCharsets.UTF_8));
		JdbcClient jdbc = JdbcClient.create(this.trailDatabase);
		this.trail = new AuditTrail(jdbc, Clock.systemUTC(), TrailKey.of(KEY), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
		for (int i = 1; i <= EVENTS; i++) {
			this.trail.record(new AuditEntry("user" + (i % 3), "COMMANDER", "ACTION_" + i, (long) (i % 4), Map.of("n", i, "note", "event " + i)));
		}
		this.checkpoints = consoleProcess();
		this.checkpoints.write("test", null);
	}

	@org.junit.jupiter.api.AfterEach
	void releaseTheWriter() {
		this.writer.destroy();
	}

	/** A console process's view of the checkpoints: a new one knows only the file and the trail. */
	private TrailCheckpoints consoleProcess() {
		return new TrailCheckpoints(JdbcClient.create(this.trailDatabase), this.trail, Clock.systemUTC(),
				new AuditProperties(KEY, this.temp.resolve("key"), this.temp.resolve("checkpoints.jsonl")), TrailKey.of(KEY),
				this.writer);
	}

	@Test
	void anIntactTrailVerifiesUpToItsHead() {
		TrailVerification.Result result = verify();
		assertThat(result.intact()).isTrue();
		assertThat(result.verified()).isEqualTo(EVENTS + 1);
		assertThat(result.describe()).startsWith((EVENTS + 1) + " events verified up to hash " + result.headHash()
				+ "; each carries the console's proof of authorship; consistent with 1 signed checkpoint, the last number 1 taken at");
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
		assertThat(result.problem()).startsWith("the trail ends at sequence 30, but signed checkpoint 1 taken at")
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

	/**
	 * ASVS 4.0.3 V7.3.4: whoever can connect as the console's database role can append a
	 * correctly chained event, but cannot sign it; verification names it, while the chain alone
	 * (no key) cannot tell.
	 */
	@Test
	void anEventForgedWithTheConsolesDatabaseRoleIsFound() throws SQLException {
		String role = "console_" + System.nanoTime();
		execute("CREATE ROLE " + role + " LOGIN; GRANT SELECT, INSERT ON audit_event TO " + role);
		DataSource asConsoleRole = new DriverManagerDataSource(url(this.database), role, "");
		long seq = forge(asConsoleRole, null);
		assertBrokenAt(seq, "it carries no proof of authorship: the console did not write it (inserted with access to its database).");
		assertThat(TrailVerifier.verify(this.trailDatabase, this.checkpoints.read(), null).intact()).isTrue();

		asSuperuserWithoutTriggers("DELETE FROM audit_event WHERE seq = " + seq);
		assertThat(forge(asConsoleRole, "ab".repeat(32))).isEqualTo(seq);
		assertBrokenAt(seq, "its proof of authorship is wrong: the console did not write it (forged with access to its database), "
				+ "or this is not the trail's key.");
	}

	/** Inserts "APPROVAL_GIVEN by cto", chained exactly as the console chains, with the given (or no) proof. */
	private long forge(DataSource as, String mac) {
		JdbcClient jdbc = JdbcClient.create(as);
		var head = jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> Map.entry(rs.getLong(1), rs.getString(2)))
			.single();
		long seq = head.getKey() + 1;
		java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
		String details = AuditHashing.canonicalDetails(Map.of("comment", "looks good"));
		String hash = AuditHashing.hash(seq, now, "cto", "CTO", 3L, "APPROVAL_GIVEN", details, head.getValue());
		jdbc.sql("insert into audit_event (seq, occurred_at, actor, actor_roles, incident_id, action, details, prev_hash, hash, mac) "
				+ "values (?, ?, 'cto', 'CTO', 3, 'APPROVAL_GIVEN', cast(? as jsonb), ?, ?, ?)")
			.params(seq, java.sql.Timestamp.from(now), details, head.getValue(), hash, mac)
			.update();
		return seq;
	}

	@Test
	void aForgedCheckpointIsFound() throws Exception {
		Path forged = this.temp.resolve("forged.jsonl");
		Files.writeString(forged, "{\"number\":1,\"seq\":99,\"hash\":\"" + "a".repeat(64) + "\",\"at\":\"2026-01-01T00:00:00Z\","
				+ "\"reason\":\"periodic\",\"previous\":\"" + "0".repeat(64) + "\",\"mac\":\"" + "0".repeat(64) + "\"}\n");
		TrailVerification.Result result = TrailVerifier.verify(this.trailDatabase, TrailCheckpoints.read(forged), TrailKey.of(KEY));
		assertThat(result.intact()).isFalse();
		assertThat(result.problem()).contains("does not carry a valid signature");
	}

	/** ASVS 4.0.3 V7.3.3 / V7.3.4: a checkpoint file that is not one is reported, never an error. */
	@Test
	void aMalformedCheckpointLineIsReportedNotThrown() throws Exception {
		Files.writeString(this.checkpoints.file(), "{\"seq\": \"not a number\"\n{oops\n", StandardOpenOption.APPEND);
		TrailVerification.Result result = verify();
		assertThat(result.intact()).isFalse();
		assertThat(result.describe()).isEqualTo("Broken checkpoints: line 2 of the checkpoint file is not a checkpoint (not JSON): "
				+ "the file was edited or damaged.");
	}

	/**
	 * ASVS 4.0.3 V7.3.4: removing the last checkpoint lines together with the tail of the trail.
	 * The running console remembers what it wrote, and its next checkpoint links to the removed
	 * one, so the cut shows either way.
	 */
	@Test
	void checkpointLinesDeletedWithTheTailAreFound() throws Exception {
		recordEvents(3);
		this.checkpoints.write("test", null);
		recordEvents(3);
		TrailCheckpoints.Checkpoint third = this.checkpoints.write("test", null);
		assertThat(third.number()).isEqualTo(3);
		List<String> lines = Files.readAllLines(this.checkpoints.file());
		Files.write(this.checkpoints.file(), lines.subList(0, 1));
		asSuperuserWithoutTriggers("DELETE FROM audit_event WHERE seq > " + (EVENTS + 1));

		assertThat(verifyAsRunningConsole().describe()).startsWith("Broken checkpoints: this console wrote checkpoint 3 at " + third.at()
				+ ", but the checkpoint file ends at checkpoint 1: its last lines were removed.");
		TrailCheckpoints.Checkpoint fourth = this.checkpoints.write("shutdown", null);
		assertThat(fourth.number()).isEqualTo(4);
		assertThat(consoleProcess().read().checkpoints()).extracting(TrailCheckpoints.Checkpoint::number).containsExactly(1L, 4L);
		assertThat(TrailVerifier.verify(this.trailDatabase, this.checkpoints.read(), TrailKey.of(KEY)).describe())
			.isEqualTo("Broken checkpoints: checkpoints 2 to 3 are missing from the checkpoint file: its lines were removed.");
	}

	/** Checkpoint lines removed while the trail keeps their events: the trail names the missing checkpoint. */
	@Test
	void checkpointLinesDeletedAloneAreFoundThroughTheTrail() throws Exception {
		recordEvents(2);
		this.checkpoints.write("test", null);
		List<String> lines = Files.readAllLines(this.checkpoints.file());
		Files.write(this.checkpoints.file(), lines.subList(0, 1));
		TrailVerification.Result result = TrailVerifier.verify(this.trailDatabase, this.checkpoints.read(), TrailKey.of(KEY));
		assertThat(result.problem()).isEqualTo("it records that checkpoint 2 was written, but the checkpoint file ends at checkpoint 1: "
				+ "checkpoint lines were removed.");
		TrailCheckpoints next = consoleProcess();
		assertThat(next.write("start-up", null).number()).as("a restarted console continues from the trail's record").isEqualTo(3);
	}

	@Test
	void aCheckpointLineRemovedFromTheMiddleIsFound() throws Exception {
		recordEvents(1);
		this.checkpoints.write("test", null);
		recordEvents(1);
		this.checkpoints.write("test", null);
		List<String> lines = new java.util.ArrayList<>(Files.readAllLines(this.checkpoints.file()));
		lines.remove(1);
		Files.write(this.checkpoints.file(), lines);
		assertThat(verifyAsRunningConsole().describe())
			.isEqualTo("Broken checkpoints: checkpoint 2 is missing from the checkpoint file: its lines were removed.");
	}

	/**
	 * ASVS 4.0.3 V7.3.4: one incident's export verifies on its own, offline, with the key; a
	 * dropped event, an event hidden as a content-less link, or a link moved to another incident
	 * shows.
	 */
	@Test
	void oneIncidentsExportVerifiesOfflineAndShowsWhatWasTakenOut() throws Exception {
		this.trail.record(new AuditEntry("commander", "COMMANDER", "INCIDENT_OPENED", 70L, Map.of("runbook", "r")));
		for (int i = 0; i < 4; i++) {
			this.trail.record(new AuditEntry("commander", "COMMANDER", "STEP_SUCCEEDED", 70L, Map.of("step", "s" + i)));
			this.trail.record(new AuditEntry("lead", "TEAM_LEAD", "COMMENTED", 71L, Map.of("text", "other incident " + i)));
		}
		this.trail.record(new AuditEntry("commander", "COMMANDER", "INCIDENT_COMPLETED", 70L, Map.of("summary", "done")));
		this.trail.record(new AuditEntry("lead", "TEAM_LEAD", "COMMENTED", 71L, Map.of("text", "after the end")));
		TrailCheckpoints.Checkpoint covering = this.checkpoints.write("incident 70 completed", null);
		Path export = this.temp.resolve("incident-70.jsonl");
		try (var out = Files.newOutputStream(export)) {
			new TrailExports(this.trailDatabase, this.checkpoints).jsonLines(70L, out);
		}
		List<String> lines = Files.readAllLines(export);
		assertThat(lines).hasSize(1 + 11).noneMatch((line) -> line.contains("other incident"));

		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		String[] args = { "--file=" + export, "--key=" + KEY };
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isZero();
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("6 events verified up to hash " + covering.hash())
			.contains("incident 70 anchored at sequence " + (EVENTS + 2) + " and covered by signed checkpoint 2");

		assertThat(verifyEdited(export, lines, (edited) -> edited.remove(4)).problem()).isEqualTo("event " + (EVENTS + 5)
				+ " is missing (deleted from the trail).");
		assertThat(verifyEdited(export, lines, (edited) -> edited.set(2, linkOf(edited.get(2)))).problem())
			.isEqualTo("it belongs to incident 70, but the export leaves its content out.");
		assertThat(verifyEdited(export, lines, (edited) -> edited.set(3, edited.get(3).replace("\"incidentId\":71", "\"incidentId\":72"))).problem())
			.startsWith("its proof of authorship is wrong");
		assertThat(verifyEdited(export, lines, (edited) -> edited.remove(edited.size() - 1)).problem())
			.startsWith("the export ends here, but its covering checkpoint 2 records sequence " + covering.seq());
		assertThat(verifyEdited(export, lines, (edited) -> edited.remove(1)).problem())
			.isEqualTo("the export does not begin with the opening of incident 70: its first events are missing.");
	}

	private TrailVerification.Result verifyEdited(Path export, List<String> lines, java.util.function.Consumer<List<String>> edit)
			throws Exception {
		List<String> edited = new java.util.ArrayList<>(lines);
		edit.accept(edited);
		Path copy = this.temp.resolve("edited-" + System.nanoTime() + ".jsonl");
		Files.write(copy, edited);
		TrailVerification.Result result = TrailVerifier.verifyExport(copy, null, TrailKey.of(KEY));
		assertThat(result.intact()).isFalse();
		return result;
	}

	/** An event line turned into a content-less link, as if it belonged to another incident. */
	private static String linkOf(String eventLine) {
		var node = tools.jackson.databind.json.JsonMapper.builder().build().readTree(eventLine);
		return "{\"seq\":" + node.get("seq") + ",\"incidentId\":" + node.get("incidentId") + ",\"prevHash\":" + node.get("prevHash")
				+ ",\"hash\":" + node.get("hash") + ",\"mac\":" + node.get("mac") + "}";
	}

	@Test
	void theCommandLineVerifiesAnExportOfflineAndFindsAnEditInIt() throws Exception {
		Path export = this.temp.resolve("trail.jsonl");
		try (var out = Files.newOutputStream(export)) {
			new TrailExports(this.trailDatabase, this.checkpoints).jsonLines(null, out);
		}
		String[] args = { "--file=" + export, "--checkpoints=" + this.checkpoints.file(), "--key=" + KEY };
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
		printed.reset();
		Files.writeString(export, "not a trail\n");
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isEqualTo(2);
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Cannot verify: " + export + " is not a trail export");
	}

	/** An auditor's database role that may only read the trail verifies it from the command line, then finds an edit. */
	@Test
	void theCommandLineVerifiesTheDatabaseAsAReadOnlyAuditor() throws Exception {
		String auditor = "auditor_" + System.nanoTime();
		execute("CREATE ROLE " + auditor + " LOGIN PASSWORD 'audit-pass'; GRANT SELECT ON audit_event TO " + auditor);
		String[] args = { "--url=" + url(this.database), "--user=" + auditor, "--password=audit-pass",
				"--checkpoints=" + this.checkpoints.file(), "--key=" + KEY };
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isZero();
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith((EVENTS + 1) + " events verified up to hash");

		asSuperuserWithoutTriggers("UPDATE audit_event SET actor = 'someone else' WHERE seq = 9");
		printed.reset();
		assertThat(TrailVerifierCommand.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isEqualTo(1);
		assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Broken at sequence 9: its content does not match its hash");
		execute("REVOKE ALL ON audit_event FROM " + auditor + "; DROP ROLE " + auditor);
	}

	/** Verification reads the trail through a binary copy; it must read every column as a query does. */
	@Test
	void theCopyReadsEveryEventAsAQueryDoes() throws SQLException {
		execute("""
				insert into audit_event (seq, occurred_at, actor, actor_roles, incident_id, action, details, prev_hash, hash, mac) values
				  (1001, '1999-12-31 23:59:59.999999+00', 'zoë «ops»', '', null, 'ÜBER_ACTION',
				   '{"b": "tab\\there, \\"quoted\\", back\\\\slash", "a": [1, -2, null, true], "emoji": "🚀"}', repeat('a', 64), repeat('b', 64), null),
				  (1002, '2028-02-29 00:00:00.000001+00', 'x', 'CTO,TEAM_LEAD', 9223372036854775807, 'A', '{}', repeat('c', 64), repeat('d', 64), repeat('e', 64)),
				  (1003, '1970-01-01 00:00:00+00', '', 'X', -1, 'B', '{"deep": {"z": {"y": "\\u0001 and a\\nnew line"}}}', repeat('f', 64), repeat('0', 64), '')
				""");
		List<AuditEvent> queried = JdbcClient.create(this.trailDatabase)
			.sql("select " + AuditTrail.COLUMNS + " from audit_event order by seq")
			.query((rs, row) -> AuditTrail.mapStoredEvent(rs))
			.list();
		List<AuditEvent> copied = new java.util.ArrayList<>();
		try (Connection connection = this.trailDatabase.getConnection(); CopiedEvents events = new CopiedEvents(connection)) {
			events.forEachRemaining(copied::add);
		}
		assertThat(queried).hasSize(EVENTS + 1 + 3);
		assertThat(copied).containsExactlyElementsOf(queried);
	}

	/**
	 * A verdict is about one moment: events recorded after verification took its snapshot (its
	 * first statement), while it is about to read, are not read, and the next verification reads them.
	 */
	@Test
	void eventsRecordedAfterTheSnapshotAreNotRead() {
		long before = verify().verified();
		AtomicBoolean recorded = new AtomicBoolean();
		DataSource recordingAfterTheSnapshot = ProxyDataSourceBuilder.create(this.trailDatabase).afterQuery((execution, queries) -> {
			if (!recorded.get() && queries.stream().anyMatch((query) -> query.getQuery().equals("select 1"))) {
				recorded.set(true);
				for (int i = 1; i <= 3; i++) {
					this.trail.record(new AuditEntry("late", "COMMANDER", "LATE_" + i, null, Map.of("n", i)));
				}
			}
		}).build();

		TrailVerification.Result during = TrailVerifier.verify(recordingAfterTheSnapshot, this.checkpoints.read(), TrailKey.of(KEY));

		assertThat(recorded).as("events recorded once the snapshot was taken").isTrue();
		assertThat(during.intact()).isTrue();
		assertThat(during.verified()).isEqualTo(before);
		assertThat(verify().verified()).isEqualTo(before + 3);
	}

	/** A trail broken near its start: the rest of its copy is read away, and the connection goes on serving. */
	@Test
	@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a connection left mid-copy hangs
	void aTrailBrokenEarlyLeavesItsConnectionUsable() throws SQLException {
		appendBulkEvents();
		asSuperuserWithoutTriggers("UPDATE audit_event SET details = '{\"n\": 12, \"note\": \"nothing happened\"}' WHERE seq = 12");
		try (Connection connection = this.trailDatabase.getConnection()) {
			DataSource oneConnection = new org.springframework.jdbc.datasource.SingleConnectionDataSource(connection, true);
			for (int i = 0; i < 2; i++) {
				TrailVerification.Result result = TrailVerifier.verify(oneConnection, this.checkpoints.read(), TrailKey.of(KEY));
				assertThat(result.firstBadSeq()).isEqualTo(12);
			}
			assertThat(connection.getAutoCommit()).isTrue();
			assertThat(JdbcClient.create(oneConnection).sql("select count(*) from audit_event").query(Long.class).single())
				.isEqualTo(200_000L);
		}
	}

	/** Whoever can insert may store a time of infinity; verification names that event instead of failing. */
	@Test
	void anEventAtAnInfiniteTimeIsNamed() throws SQLException {
		long seq = EVENTS + 2;
		String head = JdbcClient.create(this.trailDatabase).sql("select hash from audit_event where seq = ?").param(seq - 1)
			.query(String.class).single();
		execute("insert into audit_event (seq, occurred_at, actor, action, prev_hash, hash) values (" + seq + ", 'infinity', 'x', 'X', '"
				+ head + "', repeat('1', 64))");
		assertBrokenAt(seq, "its content does not match its hash: the event was altered.");
	}

	/** The server's end of a copy dies half-way: reading fails; it never looks like a shorter, intact trail. */
	@Test
	void aCopyCutHalfWayIsAnErrorNotAnEnd() throws SQLException {
		appendBulkEvents();
		try (Connection connection = this.trailDatabase.getConnection()) {
			connection.setAutoCommit(false);
			CopiedEvents events = new CopiedEvents(connection);
			assertThat(events.next().seq()).isEqualTo(1);
			int backend = connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
			assertThat(JdbcClient.create(this.trailDatabase).sql("select pg_terminate_backend(?)").param(backend).query(Boolean.class).single())
				.isTrue();
			long[] read = { 1 };
			assertThatIllegalStateException().isThrownBy(() -> {
				while (events.hasNext()) {
					events.next();
					read[0]++;
				}
			}).withMessageStartingWith("Cannot read the trail: ");
			assertThat(read[0]).isLessThan(200_000);
		}
	}

	private void recordEvents(int count) {
		for (int i = 0; i < count; i++) {
			this.trail.record(new AuditEntry("user", "COMMANDER", "ACTION_MORE", null, Map.of("i", i)));
		}
	}

	private TrailVerification.Result verifyAsRunningConsole() {
		return new TrailVerifier(this.trailDatabase, this.checkpoints, TrailKey.of(KEY)).verify();
	}

	private void assertBrokenAt(long seq, String problem) {
		TrailVerification.Result result = verify();
		assertThat(result.intact()).isFalse();
		assertThat(result.firstBadSeq()).isEqualTo(seq);
		assertThat(result.problem()).isEqualTo(problem);
		assertThat(result.describe()).isEqualTo("Broken at sequence " + seq + ": " + problem);
	}

	private TrailVerification.Result verify() {
		return TrailVerifier.verify(this.trailDatabase, this.checkpoints.read(), TrailKey.of(KEY));
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
		return Superuser.url(this.demo, database);
	}

	/** Events up to 200,000 after the trail's own: unsigned, and linked by made-up hashes, so the trail breaks where they begin. */
	private void appendBulkEvents() throws SQLException {
		execute("insert into audit_event (seq, occurred_at, actor, action, prev_hash, hash) select g, now(), 'bulk', 'BULK', "
				+ "lpad(to_hex(g - 1), 64, '0'), lpad(to_hex(g), 64, '0') from generate_series(" + (EVENTS + 2) + ", 200000) g");
	}

}
