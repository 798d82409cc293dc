/**
 * Turns a patient's answer into a mechanism input, or refuses it (INPUT_INVALID, nothing spent):
 * boolean → 0/1, categorical → index of the option code, multiselect → distinct indices (≤ L),
 * numeric → a finite number in [low, high], string → a non-empty string (≤ 1000 chars).
 * `canonical` is a normalized spelling of the answer (for tests and debugging; nothing stores it).
 */
import { inputError, type Question } from '@practical-privacy/core';

export interface ParsedAnswer {
  input: number | number[] | string;
  canonical: string;
}

export function parseAnswer(question: Question, answer: unknown): ParsedAnswer {
  const path = `answer`;
  switch (question.type) {
    case 'boolean':
      if (typeof answer !== 'boolean') throw inputError(`question ${question.id} expects true or false`, path);
      return { input: answer ? 1 : 0, canonical: answer ? '1' : '0' };
    case 'categorical': {
      const index = question.domain.categories.findIndex((c) => c.code === answer);
      if (typeof answer !== 'string' || index < 0) throw inputError(`question ${question.id} expects one of its option codes`, path);
      return { input: index, canonical: String(index) };
    }
    case 'multiselect': {
      if (!Array.isArray(answer)) throw inputError(`question ${question.id} expects an array of option codes`, path);
      const indices = answer.map((code) => question.domain.items.findIndex((item) => item.code === code));
      if (indices.some((i) => i < 0)) throw inputError(`question ${question.id}: an answer is not one of its option codes`, path);
      if (new Set(indices).size !== indices.length) throw inputError(`question ${question.id}: an option is given twice`, path);
      if (indices.length > question.domain.maxItems) throw inputError(`question ${question.id} accepts at most ${question.domain.maxItems} options`, path);
      indices.sort((a, b) => a - b);
      return { input: indices, canonical: indices.join(',') };
    }
    case 'numeric': {
      const { low, high } = question.domain;
      if (typeof answer !== 'number' || !Number.isFinite(answer) || answer < low || answer > high) {
        throw inputError(`question ${question.id} expects a number in [${low}, ${high}]`, path);
      }
      return { input: answer, canonical: String(answer) };
    }
    case 'string':
      if (typeof answer !== 'string' || answer.length === 0 || answer.length > 1000) throw inputError(`question ${question.id} expects a non-empty string of at most 1000 characters`, path);
      return { input: answer, canonical: answer };
  }
}
