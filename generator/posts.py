"""Posts: ~20 per influencer, inside its campaign windows, with plausible engagement."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from faker import Faker

from .catalogue import Campaign, Product
from .orders import EPOCH
from .params import SimulationParams
from .population import CATEGORIES, PLATFORMS, Assignments, Influencers

SHORTCODE_ALPHABET = np.array(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
)
BRAND_HANDLES = {"MuscleBlaze": "@muscleblaze", "HKVitals": "@hkvitals", "Gritzo": "@gritzo"}

OPENERS = {
    "MuscleBlaze": (
        "Day {n} of my {goal} journey and I'm not stopping.",
        "Post-workout fuel that actually works.",
        "Leg day done, recovery mode on.",
        "Back with another {goal} update!",
        "Consistency over intensity, always.",
        "What I eat in a day, {goal} edition.",
    ),
    "HKVitals": (
        "Morning routine sorted!",
        "Honest review after {n} weeks:",
        "Small habits, big results.",
        "Glow from within is real.",
        "Back with another {goal} update!",
    ),
    "Gritzo": (
        "My little one's new favourite!",
        "Tiffin time just got better.",
        "Growing up strong, one glass at a time.",
        "You asked, I answered: what my kids drink after school.",
    ),
}
GENERIC_OPENERS = ("You asked, I answered:", "Honest review after {n} weeks:")
GOALS = {
    "MuscleBlaze": ("fitness", "strength", "fat loss", "bulking"),
    "HKVitals": ("wellness", "glow-up", "hair care", "self-care"),
    "Gritzo": ("healthy family", "parenting", "kids' nutrition"),
}
MIDDLES = (
    "Loving the {product} from {handle}.",
    "The {product} from {handle} has been part of my routine for a while now.",
    "My go-to: {product} by {handle}.",
    "Switched to the {product} ({handle}) and the difference is real.",
)
CTAS = (
    "Use my code {code} for extra savings!",
    "Link in bio.",
    "Tap the link in my stories to shop.",
    "Drop a comment if you want my full routine.",
    "Tag someone who needs this.",
)
HASHTAGS = {
    "Fitness": ("#fitnessmotivation", "#gymlife", "#fitindia", "#workout"),
    "Nutrition": ("#nutrition", "#protein", "#healthyeating", "#mealprep"),
    "Wellness": ("#wellnessjourney", "#selfcare", "#healthylifestyle", "#immunity"),
    "Lifestyle": ("#lifestyle", "#dailyroutine", "#healthylifestyle", "#selfcare"),
    "Yoga": ("#yogaeveryday", "#mindfulness", "#yogaindia", "#selfcare"),
    "Bodybuilding": ("#bodybuilding", "#gymlife", "#protein", "#gains"),
    "Parenting": ("#momlife", "#parenting", "#kidsnutrition", "#dadlife"),
    "Beauty": ("#skincare", "#haircare", "#glowingskin", "#selfcare"),
}
MULTILINE_SHARE = 0.03  # real captions often put hashtags on their own line
HTML_SHARE = 0.002  # a few pasted-in tags; one <script> canary checks escaping


@dataclass
class Posts:
    """One entry per post, sorted by (date, influencer)."""

    post_id: list[str]
    influencer: np.ndarray  # influencer row index
    campaign: np.ndarray  # campaign index
    day: np.ndarray  # days since 1970-01-01
    url: list[str]
    caption: list[str]
    reach: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    likes_above_reach: np.ndarray  # deliberate anomaly, listed in the truth

    def __len__(self) -> int:
        return len(self.influencer)


def handle_of(name: str, influencer_id: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_name.lower())[:14] + str(influencer_id)


def _url(platform: str, handle: str, code: str, digits: str) -> str:
    if platform == "Instagram":
        return f"https://www.instagram.com/p/{code}/"
    if platform == "YouTube":
        return f"https://www.youtube.com/watch?v={code}"
    if platform == "TikTok":
        return f"https://www.tiktok.com/@{handle}/video/{digits}"
    return f"https://twitter.com/{handle}/status/{digits}"


def _caption(fake: Faker, campaign: Campaign, products: list[Product], category: str,
             handle: str) -> tuple[str, str]:
    """(body, hashtags) of one caption; Faker makes the picks so the seed fixes them."""
    opener = fake.random_element(OPENERS.get(campaign.brand, GENERIC_OPENERS)).format(
        n=fake.random_int(2, 60), goal=fake.random_element(GOALS.get(campaign.brand, ("health",))))
    product = products[fake.random_element(campaign.products)].name
    middle = fake.random_element(MIDDLES).format(
        product=product, handle=BRAND_HANDLES.get(campaign.brand, "@" + campaign.brand.lower()))
    cta = fake.random_element(CTAS).format(code=(handle[:6] + str(fake.random_int(10, 30))).upper())
    tag = "#" + re.sub(r"[^A-Za-z0-9]", "", campaign.name)
    tags = " ".join(["#ad", "#" + campaign.brand, tag, "#" + category.lower(),
                     *fake.random_elements(HASHTAGS.get(category, HASHTAGS["Lifestyle"]),
                                         length=2, unique=True)])
    return f"{opener} {middle} {cta}", tags


def make_posts(inf: Influencers, asg: Assignments, campaigns: list[Campaign],
               products: list[Product], params: SimulationParams,
               rng: np.random.Generator, fake: Faker) -> Posts:
    n_inf = len(inf)
    counts = np.maximum(rng.poisson(params.posts_per_influencer, size=n_inf), 1)
    influencer = np.repeat(np.arange(n_inf), counts)
    n = len(influencer)

    # Each post belongs to one of its influencer's campaigns, dated inside its window.
    first_asg = np.searchsorted(asg.influencer, np.arange(n_inf))
    n_asg = np.bincount(asg.influencer, minlength=n_inf)
    pick = first_asg[influencer] + rng.integers(0, n_asg[influencer])
    campaign = asg.campaign[pick]
    start = np.array([(c.start - EPOCH).days for c in campaigns])
    length = np.array([c.days for c in campaigns])
    day = start[campaign] + rng.integers(0, length[campaign])

    followers = inf.followers[influencer].astype(float)
    engagement = rng.uniform(0.01, 0.08, size=n)  # likes per follower
    # Reach share at least 1.25x the engagement so that likes stay below reach.
    reach_share = rng.uniform(np.maximum(0.05, 1.25 * engagement), 0.4)
    reach = np.rint(followers * reach_share).astype(np.int64)
    likes = np.minimum(np.rint(followers * engagement).astype(np.int64), reach - 1)
    above = rng.random(n) < params.likes_above_reach_share
    # Platforms under-estimate reach now and then: likes end up above it.
    likes[above] = np.maximum(np.rint(reach[above] * rng.uniform(1.05, 1.6, above.sum())),
                              reach[above] + 1).astype(np.int64)
    comments = rng.binomial(likes, rng.uniform(0.01, 0.08, size=n))

    codes = SHORTCODE_ALPHABET[rng.integers(0, len(SHORTCODE_ALPHABET), size=(n, 11))]
    digits = rng.integers(10**18, 2 * 10**18, size=n)
    multiline = rng.random(n) < MULTILINE_SHARE
    html = rng.random(n) < HTML_SHARE
    script_canary = int(rng.integers(0, n))

    order = np.lexsort((np.arange(n), influencer, day))
    handles = [handle_of(inf.names[i], int(inf.ids[i])) for i in range(n_inf)]
    urls, captions = [], []
    for k in order:  # ~10k posts: per-post Python is fine, posts never scale with orders
        i = influencer[k]
        body, tags = _caption(fake, campaigns[campaign[k]], products,
                              CATEGORIES[inf.category[i]], handles[i])
        if html[k]:
            body = body.replace("Link in bio.", '<b>Link in bio</b> <a href="#">here</a>.')
            body = f"<b>{body}</b>" if "<b>" not in body else body
        if k == script_canary:
            body += " <script>alert('caption')</script>"
        captions.append(body + ("\n\n" if multiline[k] else " ") + tags)
        urls.append(_url(PLATFORMS[inf.platform[i]], handles[i], "".join(codes[k]),
                         str(digits[k])))
    width = max(6, len(str(n)))
    return Posts(
        post_id=[f"PST{j + 1:0{width}d}" for j in range(n)],
        influencer=influencer[order], campaign=campaign[order], day=day[order],
        url=urls, caption=captions, reach=reach[order], likes=likes[order],
        comments=comments[order], likes_above_reach=above[order],
    )
