package dev.backout.incident;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import dev.backout.CpuTime;
import dev.backout.PackagedConsole;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.css;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * What a console sees during a live incident: commanders' browsers polling the incident's live
 * fragment (saying which version they show, as the page does), auditors paging history and reading timelines and a person's activity, each signed in
 * through the sign-in form with its own session, none pausing. Run by
 * {@link PagesUnderLoadBenchmark}, which passes the console's address and data as system properties.
 */
public class ConsoleUnderLoad extends Simulation {

	static final String PASSWORD = "demo-password-for-tests";

	private final String url = System.getProperty("backout.load.url");

	private final long liveIncident = Long.getLong("backout.load.incident", 1);

	private final long firstIncident = Long.getLong("backout.load.first-incident", 1);

	private final int incidents = Integer.getInteger("backout.load.incidents", 1);

	private final int users = Integer.getInteger("backout.load.users", 32);

	private final Duration duration = Duration.ofSeconds(Long.getLong("backout.load.seconds", 60));

	private final HttpProtocolBuilder protocol = http.baseUrl(this.url).acceptHeader("text/html").userAgentHeader("Gatling");

	private static ChainBuilder signIn(String user) {
		return exec(http("sign-in page").get("/login").check(css("input[name='_csrf']", "value").saveAs("csrf")))
			.exec(http("sign in").post("/login")
				.formParam("username", user)
				.formParam("password", PASSWORD)
				.formParam("_csrf", "#{csrf}")
				.disableFollowRedirect()
				.check(status().is(302), header("Location").transform((location) -> location.contains("error")).is(false)));
	}

	/** Polls answered 204 (the page already shows the cockpit) and rendered ones. */
	static final LongAdder UNCHANGED = new LongAdder();

	static final LongAdder RENDERED = new LongAdder();

	/** As the page's script does: each poll says which cockpit version the page shows, read from the last render. */
	private final ScenarioBuilder commanders = scenario("commanders polling a live incident").exec(signIn("commander"))
		.exec(http("incident page").get("/incidents/" + this.liveIncident).check(status().is(200), shownVersion()))
		.during(this.duration)
		.on(exec(http("incident, live fragment").get("/incidents/" + this.liveIncident)
			.header("HX-Request", "true")
			.header("HX-Trigger", "cockpit")
			.header(IncidentController.SHOWN, "#{shown}")
			.check(status().in(200, 204).saveAs("status"), shownVersion()))
			.exec((session) -> {
				(session.getInt("status") == 204 ? UNCHANGED : RENDERED).increment();
				return session;
			}));

	private static CheckBuilder.Final shownVersion() {
		return regex("Backout-Cockpit-Shown&quot;: &quot;([0-9a-f]{64})").optional().saveAs("shown");
	}

	private final ScenarioBuilder historyReaders = scenario("auditors paging history").exec(signIn("auditor"))
		.during(this.duration)
		.on(exec((session) -> session.set("before", this.firstIncident + 51 + ThreadLocalRandom.current().nextInt(this.incidents - 51)))
			.exec(http("history, first page").get("/history").check(status().is(200)))
			.exec(http("history, an older page").get("/history?before=#{before}").check(status().is(200))));

	private final ScenarioBuilder timelineReaders = scenario("auditors reading timelines").exec(signIn("auditor"))
		.during(this.duration)
		.on(exec((session) -> session.set("incident", this.firstIncident + ThreadLocalRandom.current().nextInt(this.incidents)))
			.exec(http("incident timeline").get("/history/incidents/#{incident}").check(status().is(200)))
			.exec(http("person activity").get("/history/people/lead").check(status().is(200))));

	/**
	 * The CPU time of the last run, from its first client's start to its last client's end (not
	 * Gatling's start or report): the machine's and this JVM's, and the console's process's.
	 */
	static volatile CpuTime spent;

	static volatile Duration consoleSpent = Duration.ZERO;

	/** The console's CPU time in the last run by kind of thread, in milliseconds. */
	static volatile Map<String, Long> consoleThreads = Map.of();

	private final long consolePid = Long.getLong("backout.load.console-pid", -1);

	private CpuTime started;

	private Duration consoleStarted;

	private Map<String, Long> threadsStarted;

	@Override
	public void before() {
		this.started = CpuTime.now();
		this.consoleStarted = consoleCpu();
		this.threadsStarted = PackagedConsole.cpuMillisByThreadKind(this.consolePid);
	}

	@Override
	public void after() {
		spent = CpuTime.now().minus(this.started);
		consoleSpent = consoleCpu().minus(this.consoleStarted);
		Map<String, Long> threads = new TreeMap<>(PackagedConsole.cpuMillisByThreadKind(this.consolePid));
		this.threadsStarted.forEach((kind, millis) -> threads.merge(kind, -millis, Long::sum));
		consoleThreads = threads;
	}

	private Duration consoleCpu() {
		return ProcessHandle.of(this.consolePid).flatMap((console) -> console.info().totalCpuDuration()).orElse(Duration.ZERO);
	}

	{
		// -Dbackout.load.only=commanders, history or timelines: all clients of one kind, to price a request of that kind.
		switch (System.getProperty("backout.load.only", "")) {
			case "commanders" -> setUp(this.commanders.injectOpen(atOnceUsers(this.users))).protocols(this.protocol);
			case "history" -> setUp(this.historyReaders.injectOpen(atOnceUsers(this.users))).protocols(this.protocol);
			case "timelines" -> setUp(this.timelineReaders.injectOpen(atOnceUsers(this.users))).protocols(this.protocol);
			default -> {
				int commanderUsers = this.users / 2;
				int historyUsers = this.users / 4;
				setUp(this.commanders.injectOpen(atOnceUsers(commanderUsers)),
						this.historyReaders.injectOpen(atOnceUsers(historyUsers)),
						this.timelineReaders.injectOpen(atOnceUsers(this.users - commanderUsers - historyUsers)))
					.protocols(this.protocol);
			}
		}
	}

}
