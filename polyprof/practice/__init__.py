"""Interview practice: the exercise's questions, graded by meaning, offline.

Questions live in `exercises/<slug>/exercise.yaml` under `questions:`. Ids are
stable (history and answers files refer to them). Two kinds:

    questions:
      - id: flat-vs-cum                 # lowercase words joined by '-'
        prompt: "In go tool pprof -top, what do flat and cum mean?"
        model_answer: "flat is ...; cum is ..."
        subjects:                       # optional: what the answer contrasts
          flat: '\\bflat\\b'
          cum: '\\bcum(ulative)?\\b'
        rubric:
          require:                      # every point must be met
            - point: "flat is the time in the function's own code"
              about: flat               # look only at text attached to flat
              any: ['own', 'self', 'itself']        # regexes, case-insensitive
            - point: "collect, then analyze"
              in_order: ['collect|record', 'analy[sz]e|go tool pprof']
          forbid:                       # any point met fails the answer
            - point: "says cum is the function's own time"
              about: cum
              any: ['^(?!.*callee).*\\bown\\b']
        examples:                       # checked by tests/test_practice_questions.py
          pass: ["flat is the time in the function's own code; cum adds its callees"]
          fail: ["cum is the function's own time and flat includes its callees"]

      - id: pick-profiler               # multiple choice, where prose can't be graded
        prompt: "..."
        choices: ["...", "...", "..."]
        answer: 1                       # 0-based; learners answer with a letter (b)
        model_answer: "..."

How `about` binds words to subjects, and how answers are normalized before the
regexes see them, is in `rubric`. Blank and "I don't know" answers score 0
before any rubric runs. Every question is worth one point.

`grade_answers(exercise, answers)` is the entry point for `invoke grade`.
"""

from .questions import grade_answers, read_answers

__all__ = ["grade_answers", "read_answers"]
