package dev.backout.runbook;

import java.util.List;

import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/** The editor page's model, for the editor and for the drafts imports make: problems, and a preview. */
@Component
class EditorPage {

	private final RunbookCatalog catalog;

	private final MarkdownRenderer markdown;

	EditorPage(RunbookCatalog catalog, MarkdownRenderer markdown) {
		this.catalog = catalog;
		this.markdown = markdown;
	}

	String show(String yaml, String baseHash, Model model) {
		model.addAttribute("yaml", yaml);
		model.addAttribute("baseHash", baseHash);
		feedback(yaml, model);
		return "runbook/editor";
	}

	/** Every problem the loader would report, and the preview when the text reads as a runbook. */
	void feedback(String yaml, Model model) {
		ParsedRunbook parsed = this.catalog.check(yaml);
		List<RunbookProblem> problems = parsed.problems();
		model.addAttribute("problems", problems);
		model.addAttribute("valid", problems.stream().noneMatch(RunbookProblem::isError));
		if (parsed.runbook() != null) {
			model.addAttribute("preview", parsed.runbook());
			model.addAttribute("previewSummary", this.markdown.html(parsed.runbook().summary()));
			model.addAttribute("previewDiagram", DecisionDiagram.of(parsed.runbook().decision()));
		}
	}

}
