"""Product questions and answers: asked from the review blocks, confirmed by email, moderated."""
