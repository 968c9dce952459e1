package dev.backout.incident;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incident events reach a configured webhook as JSON, after the change committed.
 */
@IntegrationTest
class WebhooksIntegrationTests {

	static final List<String> received = new CopyOnWriteArrayList<>();

	static final HttpServer receiver = start();

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@DynamicPropertySource
	static void webhook(DynamicPropertyRegistry registry) {
		registry.add("backout.webhooks.urls", () -> "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
	}

	static HttpServer start() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/hook", (exchange) -> {
				received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
				exchange.sendResponseHeaders(204, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@AfterAll
	static void stop() {
		receiver.stop(0);
	}

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void approvalRequestedApprovedAndCompletedAreAnnounced() throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		this.catalog.reload(null);
		Target target = new ScratchTargets(this.demo, this.targets).create("hooks-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int)");
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("incident-test", target.id(), "hooks", Severity.SEV3, null), commander);
		long id = incident.id();
		this.incidents.answer(id, this.incidents.get(id).version(), "broken", "Yes", commander);
		this.incidents.confirmDecision(id, this.incidents.get(id).version(), null, commander);
		this.incidentSteps.runPrechecks(id, commander);
		this.incidentSteps.runStep(id, "writes-frozen", null, Map.of(), commander);
		this.incidentApprovals.requestApproval(id, this.incidents.get(id).version(), commander);
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		this.approvals.decide(id, lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "go", "demo-password-for-tests", ReviewedPlans.current(this.approvals, id));
		SignedIn.as("commander", Role.COMMANDER);
		this.incidentSteps.runRestOfPhase(id, commander);
		this.incidentSteps.runStep(id, "drop-things", "DROP things", Map.of(), commander);
		this.incidentSteps.runRestOfPhase(id, commander);
		this.incidentSteps.runStep(id, "notified", null, Map.of("channel", "#ops"), commander);
		this.incidents.close(id, this.incidents.get(id).version(), "done", commander);

		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (received.stream().noneMatch((body) -> body.contains("\"COMPLETED\"")) && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		List<String> mine = received.stream().filter((body) -> body.contains("\"incidentId\":" + id)).toList();
		assertThat(mine).anySatisfy((body) -> assertThat(body).contains("\"type\":\"APPROVAL_REQUESTED\""))
			.anySatisfy((body) -> assertThat(body).contains("\"type\":\"APPROVED\""))
			.anySatisfy((body) -> assertThat(body).contains("\"type\":\"COMPLETED\"", "\"runbookId\":\"incident-test\""));
	}


}
