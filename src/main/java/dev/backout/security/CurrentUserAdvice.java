package dev.backout.security;

import java.util.List;
import java.util.stream.Stream;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The signed-in user's role labels for the layout; other authorities (such as the
 * authentication factor) are not roles and are not shown.
 */
@ControllerAdvice
class CurrentUserAdvice {

	@ModelAttribute("currentRoles")
	List<String> currentRoles(Authentication authentication) {
		if (authentication == null) {
			return List.of();
		}
		return authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.flatMap(CurrentUserAdvice::role)
			.sorted()
			.map(Role::label)
			.toList();
	}

	private static Stream<Role> role(String authority) {
		return Stream.of(Role.values()).filter((role) -> role.authority().equals(authority));
	}

}
