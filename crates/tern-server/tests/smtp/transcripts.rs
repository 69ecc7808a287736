// TCP transcripts come next.
