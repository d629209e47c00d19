"""The image endpoints: images like a generation's image, near-duplicate groups, and with a CLIP
image model images found from words and the prompt-image agreement score (docs/images.md).

A mixin of ``api.endpoints.Api`` (which registers them by name in ``ENDPOINTS``): the same
conventions hold, ``*_frame`` methods return the DataFrame behind a view, the others its records,
and every argument is checked before a query runs. A warehouse without image embeddings answers
with an error of code ``unavailable`` that says how to make them; so does a text query or an
agreement question to a warehouse whose image vectors are not a CLIP model's.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import images
from genai_analyzer.analysis.explorer_queries import NotFoundError, check_limit
from genai_analyzer.analysis.filters import NO_FILTERS, Filters
from genai_analyzer.api.checks import (
    InputError,
    check_choice,
    check_count,
    check_id,
    check_text,
    public_record,
    thumb_url,
)
from genai_analyzer.core.contract import DUPLICATE_MAX_BITS
from genai_analyzer.core.jsonable import records
from genai_analyzer.models.embeddings import EmbeddingError
from genai_analyzer.warehouse.reader import Warehouse

MAX_PAGE = 100_000


def _visual(call):
    """Run ``call()``, its errors as the API's: unknown id -> not_found on generation_id; no image
    embeddings, no CLIP model, or one that fails to load -> unavailable."""
    try:
        return call()
    except NotFoundError as exc:
        raise InputError(str(exc), code="not_found", field="generation_id") from None
    except (images.NoImageEmbeddings, images.NoClipModel, EmbeddingError) as exc:
        raise InputError(str(exc), code="unavailable") from None


class ImageEndpoints:
    """Visual similarity over ``self.wh``."""

    wh: Warehouse

    def has_image_embeddings(self) -> bool:
        """Whether the warehouse holds image embeddings (the Explorer's "Images like this")."""
        return images.image_embedding_count(self.wh) > 0

    def has_image_embedding(self, generation_id: str) -> bool:
        """Whether this generation's image has a vector (its "Images like this" can answer)."""
        return images.has_image_embedding(self.wh, generation_id)

    def image_model(self) -> dict:
        """The model behind the warehouse's image embeddings: {"model": its key (null without image
        embeddings), "kind": "clip" (an image-text model: text-to-image search and agreement scores
        work) or "visual" (EfficientNet-Lite0, ImageNet features: visual similarity only), "label":
        its name, "dim", "vectors": how many images have one, "text_search": whether
        /images_from_text can answer in this process}."""
        info = dict(images.image_model(self.wh))
        info["text_search"] = self.has_text_to_image()
        return info

    def has_text_to_image(self) -> bool:
        """Whether text-to-image search works here: CLIP vectors, and their model in this process
        (GENAI_IMAGE_MODEL naming it). The Explorer offers its "images" mode only then."""
        if images.image_model(self.wh)["kind"] != "clip":
            return False
        try:
            images.clip_query_embedder(self.wh)
        except images.NoClipModel:
            return False
        return True

    def images_from_text_frame(self, query: str, filters: Filters, limit: int) -> pd.DataFrame:
        """The generations whose images are nearest to ``query`` in CLIP space, best first."""
        limit = check_limit(limit)
        return _visual(lambda: images.text_to_image(self.wh, query, filters, limit))

    def images_from_text(self, query: str, limit: int = 24, filters: Filters = NO_FILTERS) -> list[dict]:
        """Text-to-image search (needs a CLIP image model, GENAI_IMAGE_MODEL): up to limit
        generations whose images lie nearest to the words of query in CLIP space (the cosine of the
        image's vector and the text's, as score), best first, one per image, among the generations
        passing the filters; images are searched, not prompts. Same records as /search. Error
        unavailable when the warehouse's image embeddings are not a CLIP model's (EfficientNet-Lite0
        knows no words), or this process lacks that model."""
        query = check_text(query, "query").strip()
        if not query:
            raise InputError(
                "query is required: type what the images should show.", code="missing", field="query"
            )
        limit = check_count(limit)
        return public_record(records(self.images_from_text_frame(query, filters, limit)))

    def images_from_text_gallery_frame(self, query: str, filters: Filters, limit: int) -> pd.DataFrame:
        """Text-to-image results as the Explorer's tiles: one tile per image (gallery_frame's
        columns; n_generations 1)."""
        frame = self.images_from_text_frame(query, filters, limit)
        nsfw = images.image_nsfw(self.wh, frame["generation_id"].tolist())
        return frame.assign(
            n_generations=1,
            image_nsfw=nsfw,
            nsfw=self._blurred(nsfw),
            pinned=False,
        )

    def image_agreement_frame(
        self, group: str, filters: Filters, min_generations: int, limit: int
    ) -> pd.DataFrame:
        """Prompt-image agreement by ``group`` (the rows behind /image_agreement)."""
        return _visual(
            lambda: images.agreement_by(self.wh, group, filters, min_generations=min_generations, limit=limit)
        )

    def image_agreement(
        self,
        group: str = "settings",
        min_generations: int = 5,
        limit: int = 50,
        filters: Filters = NO_FILTERS,
    ) -> list[dict]:
        """Prompt-image agreement (needs a CLIP image model): how well images match their own prompt,
        the cosine of each image and its prompt in CLIP space, over the generations passing the
        filters, by group: settings (model, sampler, step, cfg), model, sampler, step, cfg or user.
        One record per group value with at least min_generations scored generations: its columns,
        generations, mean_agreement, p25_agreement, median_agreement, p75_agreement; lowest mean
        first; at most limit. A signal to compare groups with, not a calibrated quality score.
        Error unavailable without agreement scores (a warehouse not built with a CLIP model)."""
        group = check_choice(group, "group", images.AGREEMENT_GROUPS, "agreement group")
        min_generations = check_count(min_generations, "min_generations", MAX_PAGE)
        limit = check_count(limit)
        return records(self.image_agreement_frame(group, filters, min_generations, limit))

    def similar_images_frame(self, generation_id: str, filters: Filters, limit: int) -> pd.DataFrame:
        """The generation first, then the generations whose images look most like its image (the
        rows behind "Images like this" and /similar_images)."""
        limit = check_limit(limit)
        return _visual(lambda: images.similar_images(self.wh, generation_id, filters, limit))

    def similar_images(
        self, generation_id: str, limit: int = 24, filters: Filters = NO_FILTERS
    ) -> list[dict]:
        """Visual similarity: the generation itself first (rank 0, score 1), then up to limit
        generations whose images look most like its image, by the cosine of their image embeddings
        (EfficientNet-Lite0 features, not a text-image model: docs/images.md), best first, one per
        image, among the generations passing the filters. Same records as /search, score being
        that cosine. Errors: not_found for an unknown generation or one without an image;
        unavailable when the warehouse has no image embeddings."""
        generation_id = check_id(generation_id, "generation_id")
        limit = check_count(limit)
        return public_record(records(self.similar_images_frame(generation_id, filters, limit)))

    def similar_images_gallery_frame(self, generation_id: str, filters: Filters, limit: int) -> pd.DataFrame:
        """Images like this as the Explorer's tiles: the source first (pinned: True), then up to
        ``limit - 1`` images that look most like it, closest first, one tile per image (the
        columns of ``gallery_frame``; n_generations 1)."""
        frame = self.similar_images_frame(generation_id, filters, max(1, check_limit(limit) - 1))
        nsfw = images.image_nsfw(self.wh, frame["generation_id"].tolist())
        return frame.assign(
            n_generations=1,
            image_nsfw=nsfw,
            nsfw=self._blurred(nsfw),
            pinned=frame["rank"] == 0,
        )

    def near_duplicates_frame(self, filters: Filters, page: int, page_size: int) -> tuple[pd.DataFrame, int]:
        """One page of near-duplicate groups and how many groups pass the filters."""
        page_size = check_limit(page_size, images.MAX_PAGE_SIZE, what="page_size")
        return _visual(lambda: images.near_duplicate_groups(self.wh, filters, page=page, page_size=page_size))

    def near_duplicate_groups_frame(
        self, filters: Filters, page: int, page_size: int
    ) -> tuple[pd.DataFrame, int]:
        """``near_duplicates_frame`` with ``nsfw``: per group, whether each of its listed thumbnails
        is at or above the blur threshold (the Explorer's Near-duplicates view blurs those)."""
        frame, total = self.near_duplicates_frame(filters, page, page_size)
        listed = [g for group in frame["generation_ids"] for g in group]
        blurred = dict(zip(listed, self._blurred(images.image_nsfw(self.wh, listed)), strict=True))
        return frame.assign(nsfw=[[blurred[g] for g in group] for group in frame["generation_ids"]]), total

    def _blurred(self, scores: list) -> list[bool]:
        """Whether each image_nsfw score (None: unknown) is at or above the blur threshold."""
        threshold = self.blur_threshold()
        return [(v or 0) >= threshold for v in scores]

    def near_duplicates(self, page: int = 1, page_size: int = 20, filters: Filters = NO_FILTERS) -> dict:
        """Groups of near-duplicate images: images whose perceptual hashes (64-bit pHash of the
        thumbnail) differ in at most max_bits bits and whose colours match, linked, counted over
        the generations passing the filters (a group needs two), the largest first; page (from 1)
        of page_size groups (1-100). {"groups": one record per group: duplicate_group,
        n_generations, n_images, n_prompts, n_users, n_seeds, first_at, last_at, prompt_id and
        prompt (of its first generation), generation_ids and thumb_urls (its first 8
        generations); "total_groups", "page", "page_size", "max_bits"}. Error unavailable when
        the warehouse has no image embeddings."""
        page = check_count(page, "page", MAX_PAGE)
        page_size = check_count(page_size, "page_size", images.MAX_PAGE_SIZE)
        frame, total = self.near_duplicates_frame(filters, page, page_size)
        groups = records(frame)
        for group in groups:
            group["thumb_urls"] = [thumb_url(p) for p in group.pop("thumb_paths") or []]
        return {
            "groups": groups,
            "total_groups": total,
            "page": page,
            "page_size": page_size,
            "max_bits": DUPLICATE_MAX_BITS,
        }

    def near_duplicate_summary(self, filters: Filters = NO_FILTERS) -> dict:
        """{"groups", "images", "generations", "max_bits", "vectors"}: the near-duplicates passing the
        filters (zeros without image embeddings) and the images with a vector, for the Overview."""
        return images.near_duplicate_summary(self.wh, filters)
