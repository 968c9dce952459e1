package dev.backout.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import dev.backout.BackoutApplication;
import dev.backout.IntegrationTest;
import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Sessions live in the console database (Spring Session JDBC): a person signed in on one instance
 * is signed in on another behind the same load balancer, and signed out on both at once.
 */
@IntegrationTest
class SharedSessionsIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	JdbcConnectionDetails database;

	@Test
	void aSessionStartedOnOneInstanceCarriesToAnother() throws Exception {
		MvcResult signedIn = this.mvc.perform(post("/login").param("username", "lead").param("password", "demo-password-for-tests")
				.with(csrf()))
			.andReturn();
		assertThat(signedIn.getResponse().getRedirectedUrl()).isEqualTo("/");
		Cookie session = signedIn.getResponse().getCookie("SESSION");
		assertThat(session).as("the session cookie").isNotNull();

		try (ConfigurableApplicationContext other = secondInstance()) {
			int port = ((WebServerApplicationContext) other).getWebServer().getPort();
			HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
			HttpResponse<String> profile = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/profile"))
				.header("Cookie", "SESSION=" + session.getValue()).GET().build(), HttpResponse.BodyHandlers.ofString());
			assertThat(profile.statusCode()).as("signed in on the other instance").isEqualTo(200);
			assertThat(profile.body()).contains("<h1>lead</h1>", "Team lead");

			HttpResponse<String> stranger = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/profile"))
				.header("Cookie", "SESSION=not-a-session").GET().build(), HttpResponse.BodyHandlers.ofString());
			assertThat(stranger.statusCode()).isEqualTo(302);
			assertThat(stranger.headers().firstValue("Location").orElseThrow()).endsWith("/login");
		}
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
		return new SpringApplicationBuilder(BackoutApplication.class).profiles("test")
			.run(properties.entrySet().stream().map((property) -> "--" + property.getKey() + "=" + property.getValue()).toArray(String[]::new));
	}

}
