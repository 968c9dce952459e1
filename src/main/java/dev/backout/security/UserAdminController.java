package dev.backout.security;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import jakarta.validation.Valid;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Admin pages for users and roles. Every POST redirects back with a flash message.
 */
@Controller
@RequestMapping("/admin/users")
@PreAuthorize("hasRole('ADMIN')")
class UserAdminController {

	private final UserAccounts accounts;

	private final Clock clock;

	UserAdminController(UserAccounts accounts, Clock clock) {
		this.accounts = accounts;
		this.clock = clock;
	}

	@ModelAttribute("allRoles")
	List<Role> allRoles() {
		return Arrays.asList(Role.values());
	}

	@GetMapping
	String list(Model model) {
		model.addAttribute("users", this.accounts.all().stream().map(this::summary).toList());
		return "admin/users";
	}

	@GetMapping("/new")
	String newUser(Model model) {
		model.addAttribute("form", UserForms.NewUser.empty());
		return "admin/user-new";
	}

	@PostMapping
	String create(@Valid @ModelAttribute("form") UserForms.NewUser form, BindingResult binding, Model model,
			Authentication admin, RedirectAttributes redirect) {
		if (binding.hasErrors()) {
			return "admin/user-new";
		}
		try {
			ConsoleUser user = this.accounts.create(form.username(), form.password(), form.rolesOrNone(), admin);
			redirect.addFlashAttribute("message", "User " + user.username() + " created.");
			return "redirect:/admin/users/" + user.id();
		}
		catch (UserAccountException ex) {
			model.addAttribute("error", ex.getMessage());
			return "admin/user-new";
		}
	}

	@GetMapping("/{id}")
	String show(@PathVariable long id, Model model) {
		model.addAttribute("user", summary(this.accounts.get(id)));
		model.addAttribute("passwordForm", new UserForms.PasswordReset(""));
		return "admin/user";
	}

	@PostMapping("/{id}/roles")
	String grant(@PathVariable long id, @RequestParam Role role, Authentication admin, RedirectAttributes redirect) {
		return change(id, redirect, role.label() + " role granted.", () -> this.accounts.grant(id, role, admin));
	}

	@PostMapping("/{id}/roles/{role}/revoke")
	String revoke(@PathVariable long id, @PathVariable Role role, Authentication admin, RedirectAttributes redirect) {
		return change(id, redirect, role.label() + " role revoked.", () -> this.accounts.revoke(id, role, admin));
	}

	@PostMapping("/{id}/disable")
	String disable(@PathVariable long id, Authentication admin, RedirectAttributes redirect) {
		return change(id, redirect, "User disabled.", () -> this.accounts.setEnabled(id, false, admin));
	}

	@PostMapping("/{id}/enable")
	String enable(@PathVariable long id, Authentication admin, RedirectAttributes redirect) {
		return change(id, redirect, "User enabled.", () -> this.accounts.setEnabled(id, true, admin));
	}

	@PostMapping("/{id}/unlock")
	String unlock(@PathVariable long id, Authentication admin, RedirectAttributes redirect) {
		return change(id, redirect, "User unlocked.", () -> this.accounts.unlock(id, admin));
	}

	@PostMapping("/{id}/password")
	String resetPassword(@PathVariable long id, @Valid @ModelAttribute("passwordForm") UserForms.PasswordReset form,
			BindingResult binding, Model model, Authentication admin, RedirectAttributes redirect) {
		if (binding.hasErrors()) {
			model.addAttribute("user", summary(this.accounts.get(id)));
			return "admin/user";
		}
		return change(id, redirect, "Password reset.", () -> this.accounts.resetPassword(id, form.password(), admin));
	}

	private UserSummary summary(ConsoleUser user) {
		return UserSummary.of(user, this.clock.instant());
	}

	private String change(long id, RedirectAttributes redirect, String success, Runnable change) {
		try {
			change.run();
			redirect.addFlashAttribute("message", success);
		}
		catch (UserAccountException ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
		}
		return "redirect:/admin/users/" + id;
	}

}
