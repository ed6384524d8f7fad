"""BlazePose's networks, loaded once for the body-pose tests; they come from npm (`make web`)."""

import os

import pytest

from tfjs_kombat.bodypose import modelfiles, networks


@pytest.fixture(scope="session")
def pose_networks():
    if not (modelfiles.PACKAGE / modelfiles.DETECTOR_FILE).is_file():
        message = f"needs BlazePose from npm in {modelfiles.PACKAGE} (run `make web`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return networks.load("lite")
