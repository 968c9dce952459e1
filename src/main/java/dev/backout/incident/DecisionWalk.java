package dev.backout.incident;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.backout.runbook.DecisionTree;
import dev.backout.runbook.DecisionTree.Question;

/**
 * The decision tree walked with an incident's answers: the path so far, and either the next
 * question or the outcome reached. Answering a question already on the path changes that
 * answer and drops the ones after it.
 */
public record DecisionWalk(List<Answer> path, Optional<Question> next, Optional<DecisionTree.Answer> ending) {

	static DecisionWalk of(DecisionTree tree, List<Answer> answers) {
		List<Answer> path = new ArrayList<>();
		String current = tree.start();
		for (Answer given : answers) {
			if (!given.question().equals(current)) {
				break;
			}
			Question question = tree.question(current).orElseThrow();
			Optional<DecisionTree.Answer> chosen = question.answers().stream().filter((a) -> a.answer().equals(given.answer())).findFirst();
			if (chosen.isEmpty()) {
				break;
			}
			path.add(given);
			if (chosen.get().next() == null) {
				return new DecisionWalk(path, Optional.empty(), chosen);
			}
			current = chosen.get().next();
		}
		return new DecisionWalk(path, tree.question(current), Optional.empty());
	}

	/** The answers after answering {@code questionId} with {@code answer}; refused when not on the path. */
	static List<Answer> answer(DecisionTree tree, List<Answer> answers, String questionId, String answer) {
		DecisionWalk walk = of(tree, answers);
		List<Answer> kept = new ArrayList<>();
		for (Answer given : walk.path()) {
			if (given.question().equals(questionId)) {
				break;
			}
			kept.add(given);
		}
		DecisionWalk upToThere = of(tree, kept);
		Question question = upToThere.next()
			.filter((q) -> q.id().equals(questionId))
			.orElseThrow(() -> new IncidentRefused("Question '" + questionId + "' is not on this incident's decision path."));
		if (question.answers().stream().noneMatch((a) -> a.answer().equals(answer))) {
			throw new IncidentRefused("'" + answer + "' is not an answer to \"" + question.ask() + "\".");
		}
		kept.add(new Answer(questionId, question.ask(), answer));
		return kept;
	}

	boolean decided() {
		return this.ending.isPresent();
	}

}
