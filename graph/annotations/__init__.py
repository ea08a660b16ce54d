"""W3C Web Annotations: the model, its Turtle, annotations in the store, moderation."""
