package dev.backout.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.backout.BackoutApplication;
import dev.backout.IntegrationTest;
import dev.backout.runbook.RunbookCatalog;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two consoles on one console database, as behind a load balancer, sharing the runbook files and
 * the checkpoint file: a session started on one is signed in on the other, exactly one writes the
 * checkpoints (and the other takes over when it goes), and a runbook reload on one reaches the other.
 */
@IntegrationTest
class SeveralInstancesIntegrationTests {

	@Autowired
	JdbcConnectionDetails database;

	@Autowired
	TrailCheckpoints checkpoints;

	@Autowired
	CheckpointWriter writer;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	org.springframework.test.web.servlet.MockMvc mvc;

	@Test
	void aSessionAndAReloadCarryAcrossAndOneInstanceWritesTheCheckpoints() throws Exception {
		Path runbooks = Path.of("target", "test-runbooks");
		Files.createDirectories(runbooks);
		Files.deleteIfExists(runbooks.resolve("second-instance.yaml"));
		this.checkpoints.write("before the second instance", null);
		try (ConfigurableApplicationContext other = secondInstance()) {
			// Signed in here: signed in there, with the session's cookie; an unknown cookie is sent to sign in.
			jakarta.servlet.http.Cookie session = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
					.post("/login").param("username", "lead").param("password", "demo-password-for-tests")
					.with(org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf()))
				.andReturn().getResponse().getCookie("SESSION");
			assertThat(session).as("the session cookie").isNotNull();
			int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) other).getWebServer().getPort();
			java.net.http.HttpClient browser = java.net.http.HttpClient.newHttpClient();
			java.net.http.HttpResponse<String> profile = browser.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/profile")).header("Cookie", "SESSION=" + session.getValue())
				.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(profile.statusCode()).as("signed in on the other instance").isEqualTo(200);
			assertThat(profile.body()).contains("<h1>lead</h1>", "Team lead");
			java.net.http.HttpResponse<String> stranger = browser.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/profile")).header("Cookie", "SESSION=not-a-session")
				.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(stranger.statusCode()).isEqualTo(302);

			TrailCheckpoints otherCheckpoints = other.getBean(TrailCheckpoints.class);
			RunbookCatalog otherCatalog = other.getBean(RunbookCatalog.class);
			assertThat(otherCheckpoints.file()).isEqualTo(this.checkpoints.file());

			// One writer: this one, which wrote first; the other refuses and says why.
			assertThatThrownBy(() -> otherCheckpoints.write("by the second instance", null)).isInstanceOf(TrailCheckpoints.NotTheWriter.class);
			long before = this.checkpoints.read().checkpoints().size();
			this.checkpoints.write("by the first instance", null);
			// The writer goes (its connection, and the lock with it): the other takes over, and this one now refuses.
			this.writer.destroy();
			TrailCheckpoints.Checkpoint takenOver = otherCheckpoints.write("the second took over", null);
			assertThatThrownBy(() -> this.checkpoints.write("by the first, again", null)).isInstanceOf(TrailCheckpoints.NotTheWriter.class);
			TrailCheckpoints.Log shared = this.checkpoints.read();
			assertThat(shared.checkpoints()).hasSize((int) before + 2);
			assertThat(shared.last().orElseThrow()).isEqualTo(takenOver);
			// Numbered on from the shared file: no gap, no number twice.
			assertThat(shared.checkpoints().stream().map(TrailCheckpoints.Checkpoint::number).distinct().count())
				.isEqualTo(shared.checkpoints().size());

			// A runbook file added, and reloaded on this instance: the other follows without being asked.
			Files.writeString(runbooks.resolve("second-instance.yaml"), RUNBOOK);
			assertThat(otherCatalog.find("second-instance")).isEmpty();
			this.catalog.reload(null);
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (otherCatalog.find("second-instance").isEmpty() && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(otherCatalog.find("second-instance")).as("reached the other instance").isPresent();
		}
		finally {
			Files.deleteIfExists(runbooks.resolve("second-instance.yaml"));
			this.catalog.reload(null);
		}
		// The second instance stopped: its lock went with it, and this one writes again.
		assertThat(this.checkpoints.write("after the second instance", null).reason()).isEqualTo("after the second instance");
	}

	private ConfigurableApplicationContext secondInstance() {
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.datasource.url", this.database.getJdbcUrl());
		if (this.database.getUsername() != null) {
			properties.put("spring.datasource.username", this.database.getUsername());
		}
		if (this.database.getPassword() != null) {
			properties.put("spring.datasource.password", this.database.getPassword());
		}
		properties.put("backout.embedded.enabled", "false");
		properties.put("server.port", "0");
		properties.put("backout.audit.checkpoint-file", this.checkpoints.file().toString());
		properties.put("backout.runbooks.follow-interval", "200ms");
		// As arguments: they outrank the test profile's own checkpoint file.
		return new SpringApplicationBuilder(BackoutApplication.class).profiles("test")
			.run(properties.entrySet().stream().map((property) -> "--" + property.getKey() + "=" + property.getValue()).toArray(String[]::new));
	}

	static final String RUNBOOK = """
			id: second-instance
			title: Reloaded on another instance
			migration: { id: "1", tool: sql }
			risk: LOW
			summary: Proves a reload reaches every instance.
			target: scratch
			triggers:
			  rollbackIf: [It is broken]
			  doNotRollbackIf: [It can be fixed forward]
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
			  deadline: 30m
			phases:
			  execute:
			    steps:
			      - id: nothing
			        title: Nothing
			        sql: CREATE TABLE IF NOT EXISTS second_instance_marker (n int);
			  verify:
			    steps:
			      - id: check
			        title: Check
			        check: SELECT 1
			        expect: { equals: 1 }
			""";

}
