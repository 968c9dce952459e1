package dev.backout.security;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpSession;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class LoginController {

	/** A provider to sign in with: the link that starts it and the button's words. */
	record Provider(String href, String label) {
	}

	private final List<Provider> providers = new ArrayList<>();

	LoginController(ObjectProvider<ClientRegistrationRepository> registrations, OidcProperties oidc) {
		if (registrations.getIfAvailable() instanceof Iterable<?> all) {
			for (Object registration : all) {
				ClientRegistration client = (ClientRegistration) registration;
				this.providers.add(new Provider("/oauth2/authorization/" + client.getRegistrationId(),
						all.spliterator().getExactSizeIfKnown() == 1 ? oidc.label() : oidc.label() + " (" + client.getClientName() + ")"));
			}
		}
	}

	@GetMapping("/login")
	String login(Authentication authentication, HttpSession session, Model model) {
		boolean signedIn = authentication != null && !(authentication instanceof AnonymousAuthenticationToken);
		if (signedIn) {
			return "redirect:/";
		}
		model.addAttribute("providers", this.providers);
		// Why the provider's sign-in was refused, in the console's words (no role, a local account's name).
		if (session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION) instanceof AuthenticationException refused) {
			model.addAttribute("providerRefusal", (refused instanceof OAuth2AuthenticationException oauth
					&& oauth.getError().getDescription() != null) ? oauth.getError().getDescription()
							: "Your company account could not sign you in.");
		}
		return "security/login";
	}

}
