package dev.backout.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.backout.PackagedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up of the packaged console in embedded mode, to the login page answering: cold (a new
 * data directory: initdb, every migration, demo users and target built) and warm (the same
 * directory again), then warm with Spring's class-data sharing (the jar extracted, an archive
 * from a training run); then, where the machine has a JDK 25 or later, as the container image
 * runs it: that JDK, an AOT cache from a training run and a 1 GiB memory limit, cold and warm.
 * Prints each time, where the seconds went, and the resident memory once the login page answers.
 * Runs after packaging ({@code ./mvnw -Pbench verify}); printed, not asserted.
 */
class StartupBenchmark {

	static final String PASSWORD = "startup-benchmark-password";

	static final String[] PHASES = { "Starting BackoutApplication", "Embedded PostgreSQL started", "HikariPool-1 - Start completed",
			"Demo users:", "Tomcat started", "Started BackoutApplication" };

	@TempDir
	Path work;

	@Test
	void startToLoginPageColdWarmAndWithClassDataSharing() throws Exception {
		Path jar = Path.of(System.getProperty("backout.jar"));
		String java = ProcessHandle.current().info().command().orElse("java");
		System.out.printf("%nStart-up to the login page, embedded mode, packaged jar:%n");
		start("cold (new data directory)", List.of(java, "-jar", jar.toString()));
		start("warm", List.of(java, "-jar", jar.toString()));

		Path extracted = this.work.resolve("extracted");
		run(List.of(java, "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", extracted.toString()), "extract.log");
		Path app = extracted.resolve(jar.getFileName());
		Path archive = this.work.resolve("backout.jsa");
		train(List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-jar", app.toString()), "training.log");
		assertThat(archive).as("the class-data archive of the training start").isNotEmptyFile();
		start("warm, class-data sharing", List.of(java, "-XX:SharedArchiveFile=" + archive, "-jar", app.toString()));

		Optional<Path> newer = PackagedConsole.imageJava(System.getProperty("backout.aot-java"));
		if (newer.isEmpty()) {
			System.out.println("  AOT cache: skipped, no JDK 25 or later under /usr/lib/jvm (or -Dbackout.aot-java)");
			return;
		}
		// As the Dockerfile runs it: the image's memory setting, in a container limited to 1 GiB.
		List<String> asTheImage = List.of(newer.get().toString(), "-XX:MaxRAM=1g", "-XX:MaxRAMPercentage=75");
		Path cache = this.work.resolve("backout.aot");
		train(with(asTheImage, "-XX:AOTCacheOutput=" + cache, "-jar", app.toString()), "aot-training.log");
		assertThat(cache).as("the AOT cache of the training start").isNotEmptyFile();
		List<String> withCache = with(asTheImage, "-XX:AOTCache=" + cache, "-jar", app.toString());
		Path fresh = Files.createDirectories(this.work.resolve("fresh"));
		String version = newer.get().getParent().getParent().getFileName().toString();
		start("cold, AOT cache", withCache, fresh);
		start("warm, AOT cache", withCache, fresh);
		System.out.println("      (AOT cache: " + version + ", -XX:MaxRAM=1g -XX:MaxRAMPercentage=75)");
	}

	private static List<String> with(List<String> first, String... more) {
		List<String> command = new ArrayList<>(first);
		command.addAll(List.of(more));
		return command;
	}

	private void start(String label, List<String> command) throws Exception {
		start(label, command, this.work);
	}

	private void start(String label, List<String> command, Path directory) throws Exception {
		Path log = this.work.resolve(label.replaceAll("[^a-z]+", "-") + ".log");
		Instant launched = Instant.now();
		long started = System.nanoTime();
		upToTheLoginPage(command, directory, log, (console) -> {
			double seconds = (System.nanoTime() - started) / 1e9;
			long rss = residentKilobytes(console.pid());
			System.out.printf("  %-28s %5.1f s to the login page, RSS %,d MB%n", label, seconds, rss / 1024);
			System.out.println("      " + phases(Files.readAllLines(log), launched));
		});
	}

	/**
	 * A training start: up to the login page, then stopped as a container is (SIGTERM), so that
	 * the embedded PostgreSQL stops with it. {@code spring.context.exit=onRefresh} would halt the
	 * JVM without running its shutdown, and leave the server running.
	 */
	private void train(List<String> command, String log) throws Exception {
		upToTheLoginPage(command, this.work, this.work.resolve(log), (console) -> {
		});
	}

	private void upToTheLoginPage(List<String> command, Path directory, Path log, Up whenUp) throws Exception {
		try (PackagedConsole console = PackagedConsole.start(command, directory, log, Map.of("BACKOUT_DEMO_PASSWORD", PASSWORD))) {
			whenUp.accept(console);
		}
	}

	private interface Up {

		void accept(PackagedConsole console) throws IOException;

	}

	/** Seconds after launch at which each phase's log line appeared. */
	private static String phases(List<String> lines, Instant launched) {
		StringBuilder phases = new StringBuilder();
		for (String phase : PHASES) {
			lines.stream().filter((line) -> line.contains(phase)).findFirst().ifPresent((line) -> {
				Instant at = Instant.parse(line.substring(0, line.indexOf(' ')));
				phases.append(String.format("%s %.1f s; ", phase.replace(" - Start completed", ""),
						Duration.between(launched, at).toMillis() / 1000.0));
			});
		}
		return phases.toString();
	}

	private void run(List<String> command, String log) throws Exception {
		Process process = new ProcessBuilder(command).directory(this.work.toFile())
			.redirectErrorStream(true)
			.redirectOutput(this.work.resolve(log).toFile())
			.start();
		assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
	}

	private static long residentKilobytes(long pid) throws IOException {
		return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
			.filter((line) -> line.startsWith("VmRSS:"))
			.map((line) -> Long.parseLong(line.replaceAll("[^0-9]", "")))
			.findFirst()
			.orElse(-1L);
	}

}
