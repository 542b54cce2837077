"""The paths of our own routes beside Streamlit's (oversight/app/asgi.py serves them, oversight/app/login.py
sends the browser there), written once."""

LOGIN_PATH = "/_oversight/login"
LOGOUT_PATH = "/_oversight/logout"
#: set while oversight/app/asgi.py serves, so the pages know a login can be given its cookie
ENV_FLAG = "OVERSIGHT_LASTING_LOGIN"
