from . import trello_board_link
