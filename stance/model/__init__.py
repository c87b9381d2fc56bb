"""The model: features of a sentence, the linear stance model and signal
heads in their safe file format, labels, metrics, training (the only part
that imports scikit-learn, lazily) and the default model's life cycle.
Above `rulebook`: rule hits are features."""
