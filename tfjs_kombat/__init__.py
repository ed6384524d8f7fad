"""tfjs-kombat: train the article's Keras models on webcam frames and play with them in the browser."""

__version__ = "0.1.0"
