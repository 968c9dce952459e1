package dev.backout.security;

import java.time.Clock;

import jakarta.servlet.DispatcherType;

import dev.backout.system.ApiProblems;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationEventPublisher;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * Who may reach what. Pages check roles here and, for actions, again in the handlers'
 * {@code @PreAuthorize}; nothing relies on the navigation hiding a link.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {

	/** Scripts and styles come only from the console itself; Pico's icons are data: URIs. */
	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, ApiTokens tokens, UserDetailsService users, Clock clock,
			SignInThrottle throttle, ObjectProvider<ClientRegistrationRepository> providers, OidcProperties oidc,
			ConsoleUserRepository localAccounts) throws Exception {
		ClientRegistrationRepository registrations = providers.getIfAvailable();
		if (registrations != null) {
			// The company's provider signs people in; local accounts stay for the break-glass admin.
			DefaultOAuth2AuthorizationRequestResolver resolver = new DefaultOAuth2AuthorizationRequestResolver(registrations,
					OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
			resolver.setAuthorizationRequestCustomizer(Reauthentication.promptingForLogin());
			http.oauth2Login((login) -> login.loginPage("/login")
				.authorizationEndpoint((endpoint) -> endpoint.authorizationRequestResolver(resolver))
				.userInfoEndpoint((info) -> info.oidcUserService(new OidcRoles(oidc, localAccounts)))
				.failureUrl("/login?provider")
				.defaultSuccessUrl("/", false));
		}
		http.addFilterBefore(new ApiTokenAuthenticationFilter(tokens, users), UsernamePasswordAuthenticationFilter.class)
			// After the session's sign-in is loaded, before anything is authorised: revocations apply at once.
			.addFilterAfter(new LiveAccounts(users), SecurityContextHolderFilter.class)
			// Before the password is checked: a throttled guess costs no bcrypt and writes no event.
			.addFilterBefore(throttle.gate(), UsernamePasswordAuthenticationFilter.class)
			// After the CSRF filter: the token is in the session before a long page is flushed.
			.addFilterAfter(new CsrfTokenEarly(), CsrfFilter.class)
			// API calls with a personal token carry no cookie, so there is nothing for CSRF to protect.
			.csrf((csrf) -> csrf.ignoringRequestMatchers(ApiTokenAuthenticationFilter::carriesToken))
			.authorizeHttpRequests((requests) -> requests
			.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.FORWARD).permitAll()
			.requestMatchers("/login", "/error", "/webjars/**", "/assets/**", "/runbooks/schema.json")
			.permitAll()
			.requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll()
			.requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(Role.ADMIN.name())
			.requestMatchers("/admin/**").hasRole(Role.ADMIN.name())
			.requestMatchers("/history/**", "/history").hasAnyRole(Role.AUDITOR.name(), Role.ADMIN.name())
			// Defence in depth: the services check roles too, but state changes are refused here, before any binding.
			.requestMatchers(HttpMethod.POST, "/incidents", "/incidents/**", "/api/incidents", "/api/incidents/**")
			.hasRole(Role.COMMANDER.name())
			.requestMatchers(HttpMethod.POST, "/approvals/**", "/api/approvals/**")
			.hasAnyRole(Role.TEAM_LEAD.name(), Role.CTO.name(), Role.ON_CALL.name(), Role.COMMANDER.name(), Role.ADMIN.name())
			.requestMatchers(HttpMethod.POST, "/runbooks/reload").hasRole(Role.ADMIN.name())
			.requestMatchers("/runbooks/import", "/runbooks/import/**", "/runbooks/editor", "/runbooks/editor/**", "/runbooks/*/edit")
			.hasAnyRole(Role.RUNBOOK_AUTHOR.name(), Role.ADMIN.name())
			.anyRequest().authenticated())
			// The JSON API answers 401, not a redirect to the login page.
			.exceptionHandling((exceptions) -> exceptions
				.defaultAuthenticationEntryPointFor(ApiProblems.unauthorized(), PathPatternRequestMatcher.pathPattern("/api/**"))
				.defaultAccessDeniedHandlerFor(ApiProblems.forbidden(), PathPatternRequestMatcher.pathPattern("/api/**"))
				// Named for every other request too: with one mapping alone, Spring Security would use it everywhere.
				.defaultAccessDeniedHandlerFor(new AccessDeniedHandlerImpl(), AnyRequestMatcher.INSTANCE)
				.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"), AnyRequestMatcher.INSTANCE))
			.formLogin((login) -> login.loginPage("/login")
				.failureUrl("/login?error")
				.defaultSuccessUrl("/", false)
				.authenticationDetailsSource((request) -> new SignInDetails(request, clock.instant())))
			.logout((logout) -> logout.logoutSuccessUrl("/login?logout"))
			.sessionManagement((session) -> session.sessionFixation((fixation) -> fixation.changeSessionId()))
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)));
		return http.build();
	}

	/**
	 * Spring Security observes nothing: observing wraps each of the chain's filters on every
	 * request (a third of the chain's time under load), and turning the observations off by
	 * name still left every filter wrapped. The HTTP server observation and its metrics stay.
	 */
	@Bean
	SecurityObservationSettings securityObservations() {
		return SecurityObservationSettings.noObservations();
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return new BoundedPasswordEncoder(PasswordEncoderFactories.createDelegatingPasswordEncoder());
	}

	@Bean
	AuthenticationEventPublisher authenticationEventPublisher(ApplicationEventPublisher publisher) {
		return new DefaultAuthenticationEventPublisher(publisher);
	}

}
