"""The database backend's health check (config/postgresql): no round trip while a connection is
sound, and a connection the server ended is known to be unusable before a request uses it."""

import os
import resource
import select

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base


@pytest.fixture
def second_connection(db):
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_sound_connection_is_usable_without_asking_the_server(second_connection, monkeypatch):
    def round_trip(self):
        raise AssertionError("asked the server")

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", round_trip)
    assert second_connection.is_usable()


def test_a_connection_the_server_ended_is_not_usable(second_connection):
    backend = second_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    readable, _, _ = select.select([second_connection.connection.fileno()], [], [], 5)
    assert readable, "the server did not close the connection within 5 s"
    assert not second_connection.is_usable()


def test_a_connection_past_descriptor_1023_is_checked_too(db):
    """A busy process's connection can have a descriptor select() refuses."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), max(hard, 2048)))
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    wrapper = connections.create_connection("default")
    try:
        wrapper.ensure_connection()
        assert wrapper.connection.fileno() > 1023
        assert wrapper.is_usable()
    finally:
        wrapper.close()
        for descriptor in spare:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
