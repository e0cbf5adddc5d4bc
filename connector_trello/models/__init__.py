from . import trello_backend
from . import trello_board
from . import trello_list
from . import trello_member
from . import project_task
from . import trello_board_preview
