package dev.backout.runbook;

import java.util.List;

import dev.backout.runbook.DecisionTree.Answer;
import dev.backout.runbook.DecisionTree.Question;

/**
 * The decision tree unfolded from its start into nested nodes, ready to draw: each answer
 * either opens the next question or ends in an outcome.
 */
public record DecisionDiagram(Node root) {

	/** A question and where each of its answers leads. */
	public record Node(Question question, List<Branch> branches) {
	}

	/** @param next the next question, or null when the answer ends in {@code answer.outcome()} */
	public record Branch(Answer answer, Node next) {
	}

	/** Trees of valid runbooks end (the linter refuses cycles); the depth guard keeps a bad one from recursing forever. */
	public static DecisionDiagram of(DecisionTree tree) {
		return new DecisionDiagram(node(tree, tree.start(), 0));
	}

	private static Node node(DecisionTree tree, String id, int depth) {
		Question question = tree.question(id).orElseThrow();
		List<Branch> branches = question.answers()
			.stream()
			.map((answer) -> new Branch(answer,
					(answer.next() != null && depth < 32) ? node(tree, answer.next(), depth + 1) : null))
			.toList();
		return new Node(question, branches);
	}

}
