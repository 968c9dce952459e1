package dev.backout.security;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sign-in with the company's OpenID Connect provider (registered under
 * {@code spring.security.oauth2.client.registration.*}): who a person is, and which of the
 * provider's groups (or roles) give which console role.
 *
 * @param usernameClaim the claim that names the person in the console (the trail, four eyes)
 * @param rolesClaim the claim listing the person's groups or roles (a list, or a space-separated string)
 * @param roles provider group → console role; a person with none of them is not let in
 * @param label the sign-in button's text
 */
@ConfigurationProperties("backout.oidc")
record OidcProperties(@DefaultValue("preferred_username") String usernameClaim, @DefaultValue("groups") String rolesClaim,
		Map<String, List<Role>> roles, @DefaultValue("Sign in with your company account") String label) {

	OidcProperties {
		roles = (roles != null) ? Map.copyOf(roles) : Map.of();
	}

}
