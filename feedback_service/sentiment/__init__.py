"""Sentiment analysis of customer comments (English and French) with aspect polarity.

>>> from feedback_service.sentiment import analyse
>>> analyse("Bien emballé mais arrivé cassé", "fr").label
'negative'
"""

from .models import Aspect, Sentiment, label_for
from .services import analyse

__all__ = ["Aspect", "Sentiment", "analyse", "label_for"]
