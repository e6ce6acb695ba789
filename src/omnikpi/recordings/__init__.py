"""Call recordings: safe paths, decoding, talk analytics from the audio."""
