"""From returns to standings: targets, titles, ranks with real ties, proposals, and the review meeting's decisions."""
