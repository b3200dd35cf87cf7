"""5. Check render status, 6. check how many renders an upload used, and upload_id grouping
(by the returned upload_id, else by the exact image_url string)."""

from __future__ import annotations

import pytest

from ..support import assert_error
from .client import ArtClient, declutter_body, source_url, staging_body

AMOUNT_FIELDS = {"renderCount", "limitExceeded", "maxRenders"}


def _amount(art: ArtClient, body) -> dict:
    response = art.rendering_amount(body)
    assert response.status_code == 200, response.text
    amount = response.json()
    assert set(amount) == AMOUNT_FIELDS, amount  # [DOC] camelCase response
    assert type(amount["renderCount"]) is int
    assert type(amount["limitExceeded"]) is bool
    assert type(amount["maxRenders"]) is int
    return amount


def test_status_is_rendering_right_after_submit(art: ArtClient):
    body = staging_body()
    upload_id = art.render_ok(body)["upload_id"]
    for lookup in ({"upload_id": upload_id}, {"image_url": body["image_url"]}):
        response = art.check_status(lookup)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "rendering"}  # [DOC] only the status


@pytest.mark.emulator_only
def test_status_moves_to_done(art: ArtClient, finish_jobs):
    body = staging_body()
    upload_id = art.render_ok(body)["upload_id"]
    declutter = art.declutter_ok(declutter_body())["upload_id"]
    finish_jobs()
    assert art.check_status({"upload_id": upload_id}).json() == {"status": "done"}
    assert art.check_status({"image_url": body["image_url"]}).json() == {"status": "done"}
    assert art.status_of(declutter) == "done"


@pytest.mark.emulator_only
def test_status_of_a_failed_job_is_error(art: ArtClient, finish_jobs):
    body = staging_body(image_url=source_url("emulator-fail"))
    upload_id = art.render_ok(body)["upload_id"]
    assert art.status_of(upload_id) == "rendering"
    finish_jobs()
    assert art.check_status({"upload_id": upload_id}).json() == {"status": "error"}
    assert art.check_status({"image_url": body["image_url"]}).json() == {"status": "error"}


@pytest.mark.emulator_only
def test_status_is_rendering_while_a_new_run_of_the_group_renders(art: ArtClient, finish_jobs):
    upload_id = art.render_ok(staging_body())["upload_id"]
    finish_jobs()
    assert art.status_of(upload_id) == "done"
    art.render_ok(staging_body(upload_id=upload_id))
    assert art.status_of(upload_id) == "rendering"
    finish_jobs()
    assert art.status_of(upload_id) == "done"


@pytest.mark.parametrize(
    "lookup",
    [
        {"upload_id": "00000000-0000-4000-8000-000000000000"},
        {"image_url": "https://images.example.com/never-rendered.jpg"},
    ],
    ids=["upload_id", "image_url"],
)
def test_status_of_an_unknown_upload_is_404(art: ArtClient, lookup):
    assert_error(art.check_status(lookup), 404)


@pytest.mark.emulator_only  # needs two accounts
def test_status_is_per_account(art: ArtClient, art_as):
    upload_id = art.render_ok(staging_body())["upload_id"]
    assert_error(art_as().check_status({"upload_id": upload_id}), 404)


@pytest.mark.parametrize("body", [{}, {"upload_id": None}, {"upload_id": 5}, {"image_url": []}])
def test_status_needs_a_lookup_key(art: ArtClient, body):
    assert_error(art.check_status(body), 400)


# grouping


@pytest.mark.emulator_only
def test_grouping_by_upload_id_and_exact_image_url(art: ArtClient):
    url = source_url()
    group = art.render_ok(staging_body(image_url=url))["upload_id"]
    # no upload_id: the exact image_url string finds the group
    assert art.render_ok(staging_body(image_url=url, style="coastal"))["upload_id"] == group
    assert art.declutter_ok(declutter_body(image_url=url))["upload_id"] == group
    # any other string is another group
    for other in (url + "?v=2", url.replace("/room.jpg", "/ROOM.jpg"), url + "#x"):
        assert art.render_ok(staging_body(image_url=other))["upload_id"] != group
    # with upload_id, the group is the upload_id's whatever the image_url
    again = art.render_ok(staging_body(image_url=source_url(), upload_id=group))
    assert again["upload_id"] == group
    assert _amount(art, {"uploadId": group})["renderCount"] == 4


@pytest.mark.emulator_only
def test_client_chosen_upload_id_is_kept(art: ArtClient):
    chosen = "optional-grouping-id"
    assert art.render_ok(staging_body(upload_id=chosen))["upload_id"] == chosen
    assert art.render_ok(staging_body(upload_id=chosen))["upload_id"] == chosen
    assert _amount(art, {"upload_id": chosen})["renderCount"] == 2


# 6. check-rendering-amount


@pytest.mark.emulator_only
def test_rendering_amount_with_every_alias(art: ArtClient):
    url = source_url()
    group = art.render_ok(staging_body(image_url=url, number_of_renders=2))["upload_id"]
    art.render_ok(staging_body(image_url=url))
    for body in (
        {"uploadId": group},
        {"sourceImage": url},
        {"upload_id": group},
        {"image_url": url},
    ):
        assert _amount(art, body) == {"renderCount": 3, "limitExceeded": False, "maxRenders": 20}


@pytest.mark.emulator_only
def test_rendering_amount_counts_up_to_the_classic_cap(art: ArtClient):
    group = art.render_ok(staging_body(number_of_renders=10))["upload_id"]
    assert _amount(art, {"uploadId": group})["renderCount"] == 10
    art.render_ok(staging_body(upload_id=group, number_of_renders=9))
    amount = _amount(art, {"uploadId": group})
    assert amount["renderCount"] == 19
    assert amount["limitExceeded"] is False
    assert amount["maxRenders"] == 20
    art.render_ok(staging_body(upload_id=group, number_of_renders=1))
    assert _amount(art, {"uploadId": group})["renderCount"] == 20
    assert art.render(staging_body(upload_id=group)).status_code == 400


def test_rendering_amount_response_shape(art: ArtClient):
    group = art.render_ok(staging_body())["upload_id"]
    amount = _amount(art, {"uploadId": group})
    assert amount["renderCount"] >= 1
    assert amount["maxRenders"] == 20  # [DOC] classic: up to 20 renders per upload group


@pytest.mark.parametrize("body", [{}, {"uploadId": None}, {"uploadId": 3}, {"sourceImage": {}}])
def test_rendering_amount_needs_a_lookup_key(art: ArtClient, body):
    assert_error(art.rendering_amount(body), 400)


@pytest.mark.parametrize("path", ["/image/check-status", "/image/check-rendering-amount"])
@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null"])
def test_lookup_bodies_must_be_json_objects(art: ArtClient, path, raw):
    response = art.request("POST", path, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400)
