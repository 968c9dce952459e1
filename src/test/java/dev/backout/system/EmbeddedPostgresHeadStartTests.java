package dev.backout.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The embedded server started ahead of the context: the context uses that very server, a
 * failure to start still reads as the console's one-line reason, and a server the context did
 * not claim is stopped however the start ends.
 */
class EmbeddedPostgresHeadStartTests {

	@TempDir
	Path temp;

	@Test
	void theContextUsesTheServerStartedAheadOfItAndStopsIt() {
		int port;
		try (ConfigurableApplicationContext context = run(WithEmbeddedServer.class, this.temp.resolve("pg"))) {
			// Had the context started a server of its own, the head start's lock on the directory would have refused it.
			EmbeddedPostgresHeadStart.Started started = context.getBean(EmbeddedPostgresHeadStart.Started.class);
			assertThat(started.claim(context.getBean(EmbeddedPostgresProperties.class))).as("claimed, and once only").isEmpty();
			EmbeddedPostgresServer server = context.getBean(EmbeddedPostgresServer.class);
			assertThat(server.dataDir()).isEqualTo(this.temp.resolve("pg").toAbsolutePath());
			port = server.port();
			assertThat(listening(port)).isTrue();
		}
		assertThat(listening(port)).as("stopped with the context").isFalse();
	}

	@Test
	void aDirectoryInUseStillFailsWithItsOwnReason() throws Exception {
		Path dataDir = this.temp.resolve("held");
		try (EmbeddedPostgresServer holder = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> run(WithEmbeddedServer.class, dataDir))
				.havingRootCause()
				.isInstanceOf(EmbeddedDatabaseException.class)
				.withMessageContaining("is in use by another running Backout console");
		}
	}

	@Test
	void aServerNobodyClaimedIsStoppedWhenTheRefreshFails() throws Exception {
		Path dataDir = this.temp.resolve("unclaimed");
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> run(FailsWithoutTheServer.class, dataDir))
			.withMessageContaining("fails before the database is needed");
		assertFree(dataDir);
	}

	@Test
	void aServerNobodyClaimedIsStoppedWhenTheStartFailsBeforeTheRefresh() throws Exception {
		Path dataDir = this.temp.resolve("before-refresh");
		assertThatIllegalStateException().isThrownBy(() -> new SpringApplicationBuilder(WithEmbeddedServer.class)
			.web(WebApplicationType.NONE)
			.initializers(new EmbeddedPostgresHeadStart())
			.listeners(new FailsWhenPrepared())
			.run("--backout.embedded.data-dir=" + dataDir, "--spring.main.banner-mode=off")).withMessage("fails when prepared");
		assertFree(dataDir);
	}

	/** As in TestBackoutApplication, where a Testcontainers database wins: stopped once the context is up, not at its end. */
	@Test
	void aServerNobodyClaimedIsStoppedOnceTheContextIsUp() throws Exception {
		Path dataDir = this.temp.resolve("not-needed");
		try (ConfigurableApplicationContext context = run(WithoutTheServer.class, dataDir)) {
			assertThat(context.isActive()).isTrue();
			assertFree(dataDir);
		}
	}

	@Test
	void aServerStartedForOtherSettingsIsStoppedBeforeTheBeanStartsItsOwn() {
		Path dataDir = this.temp.resolve("other");
		EmbeddedPostgresProperties started = new EmbeddedPostgresProperties(true, dataDir, 0, "backout", false);
		EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0, false);
		EmbeddedPostgresHeadStart.Started headStart = new EmbeddedPostgresHeadStart.Started(null, started,
				CompletableFuture.completedFuture(server));
		assertThat(headStart.claim(new EmbeddedPostgresProperties(true, dataDir, 0, "other", false))).isEmpty();
		assertThat(listening(server.port())).isFalse();
	}

	/** The directory is free again: had the server outlived the start, this one would be refused. */
	private static void assertFree(Path dataDir) throws IOException {
		try (EmbeddedPostgresServer next = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThat(listening(next.port())).isTrue();
		}
	}

	private static ConfigurableApplicationContext run(Class<?> configuration, Path dataDir) {
		return new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
			.initializers(new EmbeddedPostgresHeadStart())
			.run("--backout.embedded.data-dir=" + dataDir, "--spring.main.banner-mode=off");
	}

	private static boolean listening(int port) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EmbeddedPostgresAutoConfiguration.class)
	static class WithEmbeddedServer {

	}

	@Configuration(proxyBeanMethods = false)
	static class WithoutTheServer {

	}

	static class FailsWhenPrepared implements ApplicationListener<ApplicationPreparedEvent> {

		@Override
		public void onApplicationEvent(ApplicationPreparedEvent event) {
			throw new IllegalStateException("fails when prepared");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailsWithoutTheServer {

		@Bean
		String brokenBean() {
			throw new IllegalStateException("fails before the database is needed");
		}

	}

}
