package dev.backout.security;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.backout.TestcontainersConfiguration;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-in with an OpenID Connect provider running in the test JVM (mock-oauth2-server: discovery,
 * authorize, token and JWKS endpoints), through real HTTP and redirects as a browser follows them:
 * groups become roles, a person without one and a provider name that a local account holds are
 * refused, and approving asks the provider for a fresh sign-in.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestcontainersConfiguration.class)
@ActiveProfiles("test")
class OidcSignInIntegrationTests {

	static final MockOAuth2Server provider = start();

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Reauthentication reauthentication;

	@DynamicPropertySource
	static void company(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.client.registration.company.client-id", () -> "backout");
		registry.add("spring.security.oauth2.client.registration.company.client-secret", () -> "test-secret");
		registry.add("spring.security.oauth2.client.registration.company.scope", () -> "openid,profile");
		registry.add("spring.security.oauth2.client.registration.company.client-name", () -> "Example Corp");
		registry.add("spring.security.oauth2.client.provider.company.issuer-uri", () -> provider.issuerUrl("company").toString());
		registry.add("backout.oidc.roles.backout-leads", () -> "TEAM_LEAD");
		registry.add("backout.oidc.roles.backout-sre", () -> "COMMANDER,ON_CALL");
	}

	static MockOAuth2Server start() {
		MockOAuth2Server server = new MockOAuth2Server();
		try {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
		return server;
	}

	@AfterAll
	static void stop() {
		provider.shutdown();
	}

	@Test
	void groupsBecomeRolesAndTheLoginPageOffersTheProvider() throws Exception {
		HttpClient browser = browser();
		assertThat(get(browser, "/login").body()).contains("Sign in with your company account", "/oauth2/authorization/company");

		HttpResponse<String> home = signIn(browser, "ana", List.of("backout-sre", "unrelated-group"));
		assertThat(home.uri().getPath()).isEqualTo("/");
		HttpResponse<String> profile = get(browser, "/profile");
		assertThat(profile.statusCode()).isEqualTo(200);
		assertThat(profile.body()).contains("<h1>ana</h1>").contains("Incident commander").contains("On-call engineer");
		assertThat(get(browser, "/incidents/new").statusCode()).isEqualTo(200);
		assertThat(get(browser, "/admin/users").statusCode()).isEqualTo(403);
		assertThat(this.jdbc.sql("select count(*) from audit_event where action = 'LOGIN_SUCCEEDED' and actor = 'ana'").query(Long.class)
			.single()).isOne();
	}

	@Test
	void aPersonWithoutAMappedGroupIsNotLetIn() throws Exception {
		HttpClient browser = browser();
		HttpResponse<String> refused = signIn(browser, "bob", List.of("marketing"));
		assertThat(refused.uri().getPath()).isEqualTo("/login");
		assertThat(refused.body()).contains("Your company account holds no group that gives a Backout role.");
		assertThat(get(browser, "/profile").uri().getPath()).isEqualTo("/login");
	}

	@Test
	void aProviderAccountCannotBecomeALocalAccount() throws Exception {
		HttpClient browser = browser();
		// "admin" is the local break-glass administrator: the provider's "admin" is someone else.
		HttpResponse<String> refused = signIn(browser, "admin", List.of("backout-leads"));
		assertThat(refused.uri().getPath()).isEqualTo("/login");
		assertThat(refused.body()).contains("A local account is named admin: ask an administrator.");
		assertThat(get(browser, "/profile").uri().getPath()).isEqualTo("/login");
	}

	@Test
	void approvingAsksTheProviderForAFreshSignInNeverForAPassword() throws Exception {
		Instant now = Instant.now();
		OAuth2AuthenticationToken fresh = token(now.minusSeconds(60));
		OAuth2AuthenticationToken stale = token(now.minusSeconds(3600));
		assertThat(this.reauthentication.signedInRecently(fresh)).isTrue();
		assertThat(this.reauthentication.confirm(fresh, null)).isEqualTo(Reauthentication.Confirmation.CONFIRMED);
		assertThat(this.reauthentication.confirm(stale, "any password")).isEqualTo(Reauthentication.Confirmation.SIGN_IN_AGAIN);
		assertThat(this.reauthentication.signInAgainAt(stale)).contains("/oauth2/authorization/company?again=true");

		// The provider is asked to sign the person in anew, not to reuse its session.
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
			.followRedirects(HttpClient.Redirect.NEVER).build();
		HttpResponse<String> again = get(browser, "/oauth2/authorization/company?again=true");
		assertThat(again.statusCode()).isEqualTo(302);
		assertThat(again.headers().firstValue("Location").orElseThrow()).startsWith(provider.authorizationEndpointUrl("company").toString())
			.contains("prompt=login", "max_age=0");
		HttpResponse<String> plain = get(browser, "/oauth2/authorization/company");
		assertThat(plain.headers().firstValue("Location").orElseThrow()).doesNotContain("prompt=login");
	}

	private static OAuth2AuthenticationToken token(Instant authTime) {
		OidcIdToken idToken = new OidcIdToken("t", authTime, authTime.plusSeconds(7200),
				Map.of("sub", "s", "preferred_username", "ana", "auth_time", authTime));
		DefaultOidcUser person = new DefaultOidcUser(List.of(), idToken, "preferred_username");
		return new OAuth2AuthenticationToken(person, List.of(), "company");
	}

	private HttpResponse<String> signIn(HttpClient browser, String username, List<String> groups) throws Exception {
		provider.enqueueCallback(new DefaultOAuth2TokenCallback("company", username, "JWT", List.of("backout"),
				Map.of("preferred_username", username, "groups", groups, "auth_time", Instant.now().getEpochSecond()), 3600));
		return get(browser, "/oauth2/authorization/company");
	}

	private HttpClient browser() {
		return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
			.followRedirects(HttpClient.Redirect.NORMAL).build();
	}

	private HttpResponse<String> get(HttpClient browser, String path) throws Exception {
		return browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
