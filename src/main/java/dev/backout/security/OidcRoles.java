package dev.backout.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Who signs in with the provider, and as what: the person's groups mapped to console roles by
 * configuration. Refused: a person with no mapped role, and a name a local account already has
 * (local accounts are the break-glass admin and the demo's people; a provider account must not
 * become one of them).
 */
class OidcRoles implements OAuth2UserService<OidcUserRequest, OidcUser> {

	private final OidcUserService provider = new OidcUserService();

	private final OidcProperties properties;

	private final ConsoleUserRepository localAccounts;

	OidcRoles(OidcProperties properties, ConsoleUserRepository localAccounts) {
		this.properties = properties;
		this.localAccounts = localAccounts;
	}

	@Override
	public OidcUser loadUser(OidcUserRequest request) {
		OidcUser person = this.provider.loadUser(request);
		String name = person.getClaimAsString(this.properties.usernameClaim());
		if (name == null || name.isBlank() || name.length() > 100) {
			throw refused("no_username", "The provider sent no " + this.properties.usernameClaim() + " claim to name you by.");
		}
		if (this.localAccounts.findByUsername(name).isPresent()) {
			throw refused("local_account", "A local account is named " + name + ": ask an administrator.");
		}
		Set<Role> roles = roles(person.getClaim(this.properties.rolesClaim()));
		if (roles.isEmpty()) {
			throw refused("no_role", "Your company account holds no group that gives a Backout role.");
		}
		List<SimpleGrantedAuthority> authorities = roles.stream().map((role) -> new SimpleGrantedAuthority("ROLE_" + role.name())).toList();
		return new DefaultOidcUser(authorities, person.getIdToken(), person.getUserInfo(), this.properties.usernameClaim());
	}

	Set<Role> roles(Object claim) {
		Collection<String> groups;
		if (claim instanceof Collection<?> values) {
			groups = values.stream().map(String::valueOf).collect(Collectors.toSet());
		}
		else if (claim instanceof String value) {
			groups = Set.of(value.trim().split("\\s+"));
		}
		else {
			groups = Set.of();
		}
		EnumSet<Role> roles = EnumSet.noneOf(Role.class);
		groups.forEach((group) -> roles.addAll(this.properties.roles().getOrDefault(group, List.of())));
		return roles;
	}

	private static OAuth2AuthenticationException refused(String code, String why) {
		return new OAuth2AuthenticationException(new OAuth2Error(code, why, null), why);
	}

}
