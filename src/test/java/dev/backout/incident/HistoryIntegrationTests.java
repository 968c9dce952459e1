package dev.backout.incident;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.backout.ConsoleStatements;
import dev.backout.IntegrationTest;
import dev.backout.security.Role;
import dev.backout.SignedIn;
import dev.backout.approval.Approvals;
import dev.backout.audit.AuditTrail;
import dev.backout.audit.TrailCheckpoints;
import dev.backout.audit.TrailKey;
import dev.backout.audit.TrailVerifier;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Targets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
class HistoryIntegrationTests {

	static final String TRAIL_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

	@Autowired
	MockMvc mvc;

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	IncidentRepository repository;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	JdbcClient jdbc;

	@TempDir
	Path temp;

	Incident completed;

	@BeforeEach
	void aCompletedIncident() throws Exception {
		this.completed = CompletedIncidents.complete(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, this.catalog, this.demo, this.targets);
	}

	@Test
	void theTimelineShowsWhoDecidedWhatWithWhichResult() throws Exception {
		this.mvc.perform(get("/history/incidents/{id}", this.completed.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Decision answered")))
			.andExpect(content().string(containsString("Is it broken?")))
			.andExpect(content().string(containsString("Approval given")))
			.andExpect(content().string(containsString("Plan reviewed, go")))
			.andExpect(content().string(containsString("DROP TABLE IF EXISTS things")))
			.andExpect(content().string(containsString("Channel: #incidents")))
			.andExpect(content().string(containsString("commander began verifying: the plan&#39;s changes are done")))
			.andExpect(content().string(containsString("Incident completed")));
	}

	/** An incident that sent nothing has no schema snapshots: its timeline shows no schema change, and no error. */
	@Test
	void theTimelineOfAnIncidentWithoutSnapshotsShowsNoSchemaChange() throws Exception {
		Incident open = this.incidents.open(new Incidents.Opening("incident-test", this.completed.targetId(), "Opened, nothing sent",
				Severity.SEV3, null), SignedIn.as("commander", Role.COMMANDER));
		this.mvc.perform(get("/history/incidents/{id}", open.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Opened, nothing sent")))
			.andExpect(content().string(not(containsString("Schema before"))));
		this.mvc.perform(get("/history/incidents/{id}", this.completed.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(content().string(containsString("Schema before")));
	}

	/** An incident that does not exist is a 404 on every page that reads one in one round trip, not an error. */
	@Test
	void anIncidentThatDoesNotExistIsNotFound() throws Exception {
		long missing = Long.MAX_VALUE;
		for (String page : List.of("/history/incidents/{id}", "/history/incidents/{id}/report", "/incidents/{id}")) {
			this.mvc.perform(get(page, missing).with(user("auditor").roles("AUDITOR"))).andExpect(status().isNotFound());
		}
		this.mvc.perform(get("/incidents/{id}", missing).header("HX-Request", "true").with(user("commander").roles("COMMANDER")))
			.andExpect(status().isNotFound());
	}

	/** The timeline is read far more often than the report: it does not read what only the report shows. */
	@Test
	void theTimelineReadsOnlyWhatItShows() {
		List<String> timeline = ConsoleStatements.during(() -> render("/history/incidents/{id}"));
		List<String> report = ConsoleStatements.during(() -> render("/history/incidents/{id}/report"));

		assertThat(timeline).noneMatch((sql) -> sql.contains("step_run") || sql.contains("approval"));
		assertThat(report).anyMatch((sql) -> sql.contains("step_run")).anyMatch((sql) -> sql.contains("approval"));
		assertThat(timeline).hasSizeLessThan(report.size());
	}

	/**
	 * Auditors' pages read without a transaction of their own: around a single statement one only
	 * adds a round trip (BEGIN and COMMIT) to every view. The history list and the timeline send
	 * their selects in one round trip.
	 */
	@Test
	void theAuditorsPagesReadInOneRoundTripOutsideTransactions() {
		for (String page : List.of("/history", "/history?before={id}", "/history/incidents/{id}", "/history/people/commander")) {
			ConsoleStatements.Recorded<Void> read = ConsoleStatements.during(() -> {
				render(page);
				return null;
			});
			// The first page of a session stores it (its CSRF token): the session store's write, not the page's read.
			List<String> pages = read.statements().stream().filter((sql) -> !sql.toUpperCase().contains("SPRING_SESSION")).toList();
			assertThat(pages).as("round trips of %s", page).hasSize(1);
			assertThat(read.inTransactions()).as("statements of %s sent within a transaction", page)
				.allMatch((sql) -> sql.toUpperCase().contains("SPRING_SESSION"));
		}
		List<String> timeline = ConsoleStatements.during(() -> render("/history/incidents/{id}"));
		assertThat(timeline.stream().filter((sql) -> !sql.toUpperCase().contains("SPRING_SESSION")).findFirst().orElseThrow()
			.split("\n;\n")).as("the incident, its target, its events, both schema snapshots at once").hasSize(4);
	}

	private void render(String page) {
		try {
			this.mvc.perform(get(page, this.completed.id()).with(user("auditor").roles("AUDITOR"))).andExpect(status().isOk());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void filtersAndKeysetPaginationFindIncidents() throws Exception {
		Incident second = CompletedIncidents.complete(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, this.catalog, this.demo, this.targets);
		List<Incident> firstPage = this.repository.search(new HistoryFilter(null, null, "incident-test", null, IncidentState.COMPLETED,
				"lead", null), 1);
		assertThat(firstPage).extracting(Incident::id).containsExactly(second.id());
		List<Incident> nextPage = this.repository.search(new HistoryFilter(null, null, "incident-test", null, IncidentState.COMPLETED,
				"lead", second.id()), 1);
		assertThat(nextPage).extracting(Incident::id).containsExactly(this.completed.id());
		assertThat(this.repository.search(new HistoryFilter(null, null, null, null, null, "nobody-at-all", null), 10)).isEmpty();

		this.mvc.perform(get("/history").param("person", "lead").param("state", "COMPLETED").with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("/history/incidents/" + second.id())));
		this.mvc.perform(get("/history").param("state", "ABORTED").param("runbook", "incident-test").with(user("auditor").roles("AUDITOR")))
			.andExpect(content().string(not(containsString("/history/incidents/" + second.id() + "\""))));
	}

	@Test
	void theFilterFormShowsTheSearchItAnswers() throws Exception {
		String page = this.mvc.perform(get("/history").param("from", "2026-01-02").param("runbook", "incident-test")
				.param("target", String.valueOf(this.completed.targetId())).param("state", "COMPLETED").param("person", "lead")
				.with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();

		assertThat(page).contains("name=\"from\" value=\"2026-01-02\"", "name=\"person\" value=\"lead\"",
				"<option value=\"incident-test\" selected=\"selected\">",
				"<option value=\"" + this.completed.targetId() + "\" selected=\"selected\">",
				"<option value=\"COMPLETED\" selected=\"selected\">");
		assertThat(page.split("selected=\"selected\"")).hasSize(4);
	}

	@Test
	void theReportReadsLikeARollbackRecordAndPrintsAsPdf() throws Exception {
		this.mvc.perform(get("/history/incidents/{id}/report", this.completed.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Rollback record — incident " + this.completed.id())))
			.andExpect(content().string(containsString("Dropped the test table; all checks passed.")));
		MvcResult pdf = this.mvc.perform(get("/history/incidents/{id}/report.pdf", this.completed.id()).with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andReturn();
		byte[] bytes = pdf.getResponse().getContentAsByteArray();
		assertThat(new String(bytes, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
		assertThat(bytes.length).isGreaterThan(2000);
	}

	/**
	 * The auditor's session, made by a page before an export: an export streams on a second thread,
	 * and a session both threads see as new would be inserted twice (a signed-in person's is not new).
	 */
	private jakarta.servlet.http.Cookie session() throws Exception {
		return this.mvc.perform(get("/history").with(user("auditor").roles("AUDITOR"))).andReturn().getResponse().getCookie("SESSION");
	}

	@Test
	void exportsCarryEveryEventAndTheJsonLinesVerifyOffline() throws Exception {
		MvcResult started = this.mvc.perform(get("/history/trail.jsonl").with(user("auditor").roles("AUDITOR")).cookie(session()))
			.andExpect(request().asyncStarted())
			.andReturn();
		String jsonl = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
			.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
		Path export = Files.writeString(this.temp.resolve("trail.jsonl"), jsonl);
		var result = TrailVerifier.verifyExport(export, null, null);
		assertThat(result.intact()).as(result.describe()).isTrue();
		assertThat(result.verified()).isEqualTo(jsonl.lines().count());
		var withKey = TrailVerifier.verifyExport(export, null, TrailKey.of(TRAIL_KEY));
		assertThat(withKey.intact()).as(withKey.describe()).isTrue();
		assertThat(withKey.describe()).contains("each carries the console's proof of authorship");

		MvcResult csv = this.mvc.perform(get("/history/trail.csv").param("incident", String.valueOf(this.completed.id()))
			.with(user("auditor").roles("AUDITOR")).cookie(session())).andExpect(request().asyncStarted()).andReturn();
		String text = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(csv))
			.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
		assertThat(text.lines().findFirst()).hasValue("seq,occurred_at,actor,actor_roles,incident_id,action,details,hash");
		assertThat(text).contains("INCIDENT_COMPLETED");
	}

	/**
	 * ASVS 4.0.3 V7.3.4 (log integrity): one incident's export verifies alone, offline, with the
	 * trail key: its anchor in the chain, the other events in between as signed links, and the
	 * checkpoint written when the incident ended.
	 */
	@Test
	void anIncidentsExportVerifiesAloneOffline() throws Exception {
		MvcResult started = this.mvc.perform(get("/history/trail.jsonl").param("incident", String.valueOf(this.completed.id()))
			.with(user("auditor").roles("AUDITOR")).cookie(session())).andExpect(request().asyncStarted()).andReturn();
		String jsonl = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
			.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
		Path export = Files.writeString(this.temp.resolve("incident.jsonl"), jsonl);

		var result = TrailVerifier.verifyExport(export, null, TrailKey.of(TRAIL_KEY));
		assertThat(result.intact()).as(result.describe()).isTrue();
		assertThat(result.verified()).isEqualTo(AuditTrail.forIncidentQuery(this.completed.id()).readWith(this.jdbc).size());
		assertThat(result.describe()).contains("incident " + this.completed.id() + " anchored at sequence")
			.contains("covered by signed checkpoint");
		assertThat(jsonl.lines().skip(1).filter((line) -> line.contains("\"action\"")))
			.allMatch((line) -> line.contains("\"incidentId\":" + this.completed.id() + ","));
	}

	@Test
	void theRunbookListLinksEachRunbooksLastIncident() throws Exception {
		Incident later = CompletedIncidents.complete(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, this.catalog, this.demo, this.targets);
		this.mvc.perform(get("/runbooks").with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("href=\"/incidents/" + later.id() + "\"")))
			.andExpect(content().string(not(containsString("href=\"/incidents/" + this.completed.id() + "\""))));
	}

	@Test
	void theHomePageShowsEachPersonWhatNeedsThemNow() throws Exception {
		var commander = dev.backout.SignedIn.as("commander", dev.backout.security.Role.COMMANDER);
		Incident open = this.incidents.open(new Incidents.Opening("incident-test", this.completed.targetId(), "Still open",
				Severity.SEV3, null), commander);
		org.springframework.security.core.context.SecurityContextHolder.clearContext();
		this.mvc.perform(get("/").with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("Open incidents")))
			.andExpect(content().string(containsString("href=\"/incidents/" + open.id() + "\"")))
			.andExpect(content().string(not(containsString("href=\"/incidents/" + this.completed.id() + "\""))))
			.andExpect(content().string(not(containsString("Waiting for your approval"))));
		this.mvc.perform(get("/").with(user("lead").roles("TEAM_LEAD")))
			.andExpect(content().string(containsString("Waiting for your approval")))
			.andExpect(content().string(not(containsString("Recent activity"))));
		this.mvc.perform(get("/").with(user("auditor").roles("AUDITOR")))
			.andExpect(content().string(containsString("Recent activity")))
			.andExpect(content().string(not(containsString("Open incidents"))));
	}

	@Test
	void theTrailPageVerifiesTheConsolesOwnTrail() throws Exception {
		this.mvc.perform(get("/history/trail").with(user("auditor").roles("AUDITOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Intact")))
			.andExpect(content().string(containsString("events verified up to hash")));
	}

	@Test
	void historyIsForAuditorsAndAdmins() throws Exception {
		for (String role : List.of("COMMANDER", "TEAM_LEAD", "CTO", "ON_CALL")) {
			this.mvc.perform(get("/history").with(user(SignedIn.demoUser(Role.valueOf(role))).roles(role))).andExpect(status().isForbidden());
			this.mvc.perform(get("/history/trail.jsonl").with(user(SignedIn.demoUser(Role.valueOf(role))).roles(role))).andExpect(status().isForbidden());
		}
		this.mvc.perform(get("/history/people/lead").with(user("admin").roles("ADMIN")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("approved the plan as Team lead")));
	}

}
