from . import podio_app_link
