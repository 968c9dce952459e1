package dev.backout.security;

import java.time.Clock;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The signed-in user's own page: personal API tokens.
 */
@Controller
class ProfileController {

	private final ApiTokens tokens;

	private final Clock clock;

	private final Contacts contacts;

	ProfileController(ApiTokens tokens, Clock clock, Contacts contacts) {
		this.tokens = tokens;
		this.clock = clock;
		this.contacts = contacts;
	}

	@GetMapping("/profile")
	String profile(Authentication user, Model model) {
		model.addAttribute("tokens", this.tokens.of(user.getName()));
		model.addAttribute("now", this.clock.instant());
		model.addAttribute("email", this.contacts.addressOf(user.getName()).orElse(""));
		return "security/profile";
	}

	@PostMapping("/profile/email")
	String email(@RequestParam String email, Authentication user, RedirectAttributes redirect) {
		try {
			this.contacts.change(user, email);
			redirect.addFlashAttribute("message", email.isBlank() ? "No e-mail: the console will not write to you."
					: "The console writes to " + email.strip() + " when an approval waits for you, or an incident you command is decided.");
		}
		catch (UserAccountException ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
		}
		return "redirect:/profile";
	}

	@PostMapping("/profile/tokens")
	String create(@RequestParam String name, Authentication user, RedirectAttributes redirect) {
		if (user.getDetails() instanceof ApiTokenDetails) {
			throw new AccessDeniedException("Tokens are created from a signed-in session, not with another token.");
		}
		try {
			ApiTokens.Created created = this.tokens.create(user, name);
			redirect.addFlashAttribute("newToken", created.secret());
			redirect.addFlashAttribute("message", "Token '" + created.token().name() + "' created. Copy it now: it is shown only once.");
		}
		catch (UserAccountException ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
		}
		return "redirect:/profile";
	}

	@PostMapping("/profile/tokens/{id}/revoke")
	String revoke(@PathVariable long id, Authentication user, RedirectAttributes redirect) {
		try {
			this.tokens.revoke(user, id);
			redirect.addFlashAttribute("message", "Token revoked.");
		}
		catch (UserAccountException ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
		}
		return "redirect:/profile";
	}

}
