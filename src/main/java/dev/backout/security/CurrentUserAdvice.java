package dev.backout.security;

import java.util.List;
import java.util.stream.Stream;

import org.thymeleaf.context.LazyContextVariable;

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
	LazyContextVariable<List<String>> currentRoles(Authentication authentication) {
		// Listed only when a page shows them; polls and API calls do not.
		return new LazyContextVariable<>() {

			@Override
			protected List<String> loadValue() {
				return (authentication != null) ? labels(authentication) : List.of();
			}

		};
	}

	private static List<String> labels(Authentication authentication) {
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
