package dev.backout.notification;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import dev.backout.IntegrationTest;
import dev.backout.incident.IncidentEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incident events reach a standard webhook, Slack and Teams from the stored deliveries: signed as
 * Standard Webhooks describes, only once their change committed, and retried with the same id until
 * an endpoint that refuses takes them, without sending the others twice.
 */
@IntegrationTest
class WebhookDeliveryIntegrationTests {

	/** 32 bytes, base64: the secret a receiver shares with the console. */
	static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw9wD1vE9VUMM=";

	record Received(String path, Map<String, String> headers, String body, Instant at) {
	}

	static final List<Received> received = new CopyOnWriteArrayList<>();

	/** How many more requests the standard endpoint answers with 503. */
	static final AtomicInteger refusals = new AtomicInteger();

	static final HttpServer receiver = start();

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails database;

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
		registry.add("backout.webhooks.urls", () -> base + "/hook");
		registry.add("backout.webhooks.slack", () -> base + "/slack/T000/B000/XXXX");
		registry.add("backout.webhooks.teams", () -> base + "/teams/workflow");
		registry.add("backout.webhooks.secret", () -> SECRET);
		registry.add("backout.webhooks.console-url", () -> "https://backout.example.com/");
		registry.add("backout.notifications.retry.first", () -> "300ms");
		registry.add("backout.notifications.retry.every", () -> "100ms");
	}

	static HttpServer start() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", (exchange) -> {
				String path = exchange.getRequestURI().getPath();
				Map<String, String> headers = new java.util.TreeMap<>();
				exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
				received.add(new Received(path, headers, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
						Instant.now()));
				boolean refuse = path.equals("/hook") && refusals.getAndUpdate((left) -> Math.max(left - 1, 0)) > 0;
				exchange.sendResponseHeaders(refuse ? 503 : 204, -1);
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

	@BeforeEach
	void endpointsAnswer() {
		refusals.set(0);
	}

	@Test
	void aStandardWebhookIsSignedAsTheConventionSaysAndSlackAndTeamsLinkToTheReview() throws Exception {
		IncidentEvent event = announce("APPROVAL_REQUESTED", "plan 1a2b <script>&");

		List<Received> mine = await(3, (r) -> r.body().contains(event.id()) || r.body().contains("Incident " + event.incidentId() + " "));
		Received hook = only(mine, "/hook");
		assertThat(hook.headers()).containsEntry("webhook-id", event.id()).containsKey("webhook-timestamp");
		long timestamp = Long.parseLong(hook.headers().get("webhook-timestamp"));
		assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(300);
		// The receiver's check, written from the convention, not with the console's code.
		assertThat(hook.headers().get("webhook-signature")).isEqualTo("v1," + hmac(event.id() + "." + timestamp + "." + hook.body()));
		assertThat(hook.headers().get("webhook-signature"))
			.isNotEqualTo("v1," + hmac(event.id() + "." + timestamp + "." + hook.body().replace("1a2b", "9z9z")));
		assertThat(hook.body()).contains("\"type\":\"APPROVAL_REQUESTED\"", "\"link\":\"https://backout.example.com/approvals/" + event.incidentId());

		Received slack = only(mine, "/slack/T000/B000/XXXX");
		assertThat(slack.headers()).doesNotContainKey("webhook-signature");
		assertThat(slack.body()).contains("needs approval: plan 1a2b &lt;script&gt;&amp;")
			.contains("<https://backout.example.com/approvals/" + event.incidentId() + "|Review it in Backout>");
		Received teams = only(mine, "/teams/workflow");
		assertThat(teams.body()).contains("application/vnd.microsoft.card.adaptive", "Action.OpenUrl",
				"\"url\":\"https://backout.example.com/approvals/" + event.incidentId() + "\"");

		// The stored deliveries name their endpoint by a digest: the Slack URL is the credential to post.
		assertThat(this.jdbc.sql("select count(*) from event_publication where serialized_event like '%XXXX%'").query(Long.class).single())
			.isZero();
	}

	@Test
	void aChangeThatRollsBackAnnouncesNothing() throws Exception {
		IncidentEvent event = new IncidentEvent("evt_" + java.util.UUID.randomUUID(), "COMPLETED", 990_002, "rb", "COMPLETED", "commander", "",
				Instant.now());
		this.transactions.executeWithoutResult((status) -> {
			this.events.publishEvent(event);
			status.setRollbackOnly();
		});
		IncidentEvent after = announce("COMPLETED", "after the rolled back one");
		await(3, (r) -> r.body().contains(after.id()) || r.body().contains("is complete: after the rolled back one"));
		assertThat(received).noneMatch((r) -> r.body().contains(event.id()));
	}

	@Test
	void anEndpointThatRefusesGetsTheSameMessageAgainWithBackOffUntilItTakesItAndTheOthersGetItOnce() throws Exception {
		refusals.set(2);
		IncidentEvent event = announce("HALTED", "connection lost");

		List<Received> tries = await(3, (r) -> r.path().equals("/hook") && r.body().contains(event.id()));
		assertThat(tries).extracting((r) -> r.headers().get("webhook-id")).containsOnly(event.id());
		// Waits that grow: the second retry came later after the first than the first after the try.
		assertThat(Duration.between(tries.get(1).at(), tries.get(2).at()))
			.isGreaterThan(Duration.between(tries.get(0).at(), tries.get(1).at()).minusMillis(50));
		assertThat(Duration.between(tries.get(0).at(), tries.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(250));
		Thread.sleep(1_000);
		assertThat(received).filteredOn((r) -> r.path().equals("/hook") && r.body().contains(event.id())).hasSize(3);
		assertThat(received).filteredOn((r) -> r.path().startsWith("/slack") && r.body().contains("connection lost")).hasSize(1);
		assertThat(received).filteredOn((r) -> r.path().startsWith("/teams") && r.body().contains("connection lost")).hasSize(1);
		// Delivered: nothing left in the registry for it.
		assertThat(this.jdbc.sql("select count(*) from event_publication where serialized_event like :id")
			.param("id", "%" + event.id() + "%").query(Long.class).single()).isZero();
	}

	@Test
	void aDeliveryStoredByAnInstanceThatStoppedIsDeliveredByAnotherOnceTheEndpointAnswers() throws Exception {
		refusals.set(1_000_000);
		org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails console = this.database;
		String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
		IncidentEvent event;
		// A second console on the same console database, as behind a load balancer.
		try (org.springframework.context.ConfigurableApplicationContext other = new org.springframework.boot.builder.SpringApplicationBuilder(
				dev.backout.BackoutApplication.class).profiles("test").properties(instance(console, base))
			.run()) {
			event = new IncidentEvent("evt_" + java.util.UUID.randomUUID(), "APPROVED", 990_777, "memory-schema-rls", "APPROVED",
					"commander", "approval key k", Instant.now());
			IncidentEvent published = event;
			other.getBean(TransactionTemplate.class)
				.executeWithoutResult((status) -> other.publishEvent(published));
			await(1, (r) -> r.path().equals("/hook") && r.body().contains(published.id()));
		}
		// That instance is gone; its refused delivery is in the registry, and this one delivers it.
		assertThat(this.jdbc.sql("select count(*) from event_publication where serialized_event like :id and completion_date is null")
			.param("id", "%" + event.id() + "%").query(Long.class).single()).isOne();
		int triesBefore = (int) received.stream().filter((r) -> r.path().equals("/hook") && r.body().contains(event.id())).count();
		refusals.set(0);
		String id = event.id();
		await(triesBefore + 1, (r) -> r.path().equals("/hook") && r.body().contains(id));
		Received delivered = received.stream().filter((r) -> r.path().equals("/hook") && r.body().contains(id)).reduce((a, b) -> b)
			.orElseThrow();
		assertThat(delivered.headers()).containsEntry("webhook-id", id);
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline && this.jdbc.sql("select count(*) from event_publication where serialized_event like :id")
			.param("id", "%" + id + "%").query(Long.class).single() > 0) {
			Thread.sleep(50);
		}
		assertThat(this.jdbc.sql("select count(*) from event_publication where serialized_event like :id")
			.param("id", "%" + id + "%").query(Long.class).single()).as("delivered, so no longer stored").isZero();
	}

	private static Map<String, Object> instance(org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails console, String base) {
		Map<String, Object> properties = new java.util.HashMap<>(Map.of("spring.datasource.url", console.getJdbcUrl(),
				"backout.embedded.enabled", "false", "server.port", "0", "backout.webhooks.urls", base + "/hook",
				"backout.webhooks.secret", SECRET));
		if (console.getUsername() != null) {
			properties.put("spring.datasource.username", console.getUsername());
		}
		if (console.getPassword() != null) {
			properties.put("spring.datasource.password", console.getPassword());
		}
		return properties;
	}

	private IncidentEvent announce(String type, String detail) {
		long incidentId = 990_000 + (System.nanoTime() % 1_000);
		IncidentEvent event = new IncidentEvent("evt_" + java.util.UUID.randomUUID(), type, incidentId, "memory-schema-rls", "AWAITING_APPROVAL",
				"commander", detail, Instant.now());
		this.transactions.executeWithoutResult((status) -> this.events.publishEvent(event));
		return event;
	}

	private static List<Received> await(int count, Predicate<Received> which) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (received.stream().filter(which).count() < count && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		List<Received> found = received.stream().filter(which).toList();
		assertThat(found).as("deliveries").hasSizeGreaterThanOrEqualTo(count);
		return found;
	}

	private static Received only(List<Received> deliveries, String path) {
		List<Received> at = deliveries.stream().filter((r) -> r.path().equals(path)).toList();
		assertThat(at).as(path).hasSize(1);
		return at.get(0);
	}

	private static String hmac(String signed) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
		return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
	}

}
