package dev.backout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged jar as a process of its own, as it ships, on a free loopback port, given back once
 * its login page answers. Closing stops it as a container is stopped (SIGTERM): it shuts down as
 * it would there, an embedded PostgreSQL with it, and a training start writes its archive.
 */
public final class PackagedConsole implements AutoCloseable {

	private static final Duration START_LIMIT = Duration.ofSeconds(180);

	private final Process process;

	private final int port;

	private PackagedConsole(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * @param command the JVM and its options, up to and including {@code -jar} and the jar
	 * @param environment set for the console over this JVM's own, which passes on without
	 * {@code SPRING_DATASOURCE_URL} (it would turn embedded mode off)
	 */
	public static PackagedConsole start(List<String> command, Path directory, Path log, Map<String, String> environment)
			throws IOException, InterruptedException {
		int port = freePort();
		List<String> full = new ArrayList<>(command);
		full.add("--server.port=" + port);
		ProcessBuilder builder = new ProcessBuilder(full).directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().remove("SPRING_DATASOURCE_URL");
		builder.environment().putAll(environment);
		PackagedConsole console = new PackagedConsole(builder.start(), port);
		try {
			console.awaitLoginPage(log);
		}
		catch (IOException | InterruptedException | RuntimeException | Error ex) {
			console.close();
			throw ex;
		}
		return console;
	}

	/**
	 * The java the container image runs the console with (25: the Dockerfile's runtime, and
	 * the first that makes an AOT cache in one training start, JEP 514), as this machine has it:
	 * the given one, else the newest JDK of 25 or later under /usr/lib/jvm. The console is built for 17.
	 */
	public static Optional<Path> imageJava(String given) throws IOException {
		if (given != null && !given.isBlank()) {
			return Optional.of(Path.of(given));
		}
		Path jvms = Path.of("/usr/lib/jvm");
		if (!Files.isDirectory(jvms)) {
			return Optional.empty();
		}
		try (Stream<Path> homes = Files.list(jvms)) {
			return homes.filter((home) -> featureVersion(home.resolve("release")) >= 25)
				.filter((home) -> Files.isExecutable(home.resolve("bin/java")))
				.max(Comparator.comparingInt((Path home) -> featureVersion(home.resolve("release"))))
				.map((home) -> home.resolve("bin/java"));
		}
	}

	private static int featureVersion(Path release) {
		try {
			return Files.readAllLines(release).stream()
				.filter((line) -> line.startsWith("JAVA_VERSION="))
				.map((line) -> line.replaceAll("JAVA_VERSION=\"?(\\d+).*", "$1"))
				.mapToInt(Integer::parseInt)
				.findFirst()
				.orElse(0);
		}
		catch (IOException | NumberFormatException ex) {
			return 0;
		}
	}

	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	public long pid() {
		return this.process.pid();
	}

	/** The CPU time the console's process has used so far, its JIT compilers and collector included. */
	public Duration cpu() {
		return this.process.info().totalCpuDuration().orElse(Duration.ZERO);
	}

	/**
	 * A process's CPU time so far by kind of thread (Linux's /proc, in its 1/100 s ticks; empty
	 * elsewhere): threads that ended are not counted, Tomcat's request threads live as long as it.
	 */
	public static Map<String, Long> cpuMillisByThreadKind(long pid) {
		Map<String, Long> millis = new TreeMap<>();
		try (Stream<Path> threads = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
			threads.forEach((thread) -> {
				try {
					String stat = Files.readString(thread.resolve("stat"));
					// After the name in parentheses: state is the first field, utime the 12th, stime the 13th.
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
					millis.merge(threadKind(Files.readString(thread.resolve("comm")).strip()), ticks * 10, Long::sum);
				}
				catch (IOException | RuntimeException ended) {
					// the thread ended while it was read
				}
			});
		}
		catch (IOException ex) {
			return Map.of();
		}
		return millis;
	}

	private static String threadKind(String name) {
		if (name.startsWith("http-nio")) {
			return "request threads";
		}
		if (name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
			return "garbage collector";
		}
		if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
			return "JIT compilers";
		}
		return "other threads";
	}

	private void awaitLoginPage(Path log) throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		long deadline = System.nanoTime() + START_LIMIT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new AssertionError("The console exited: " + log);
			}
			try {
				HttpResponse<Void> login = http.send(HttpRequest.newBuilder(URI.create(url() + "/login")).build(),
						HttpResponse.BodyHandlers.discarding());
				if (login.statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(50);
		}
		throw new AssertionError("The console did not come up within " + START_LIMIT.toSeconds() + " s: " + log);
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
